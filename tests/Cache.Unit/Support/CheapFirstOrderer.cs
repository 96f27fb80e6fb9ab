using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("Cache.Unit.Support.CheapFirstOrderer", "Cache.Unit")]

namespace Cache.Unit.Support;

/// <summary>
/// Runs the example tests before the property tests. Under the mutation gate the property tests are
/// compiled into this assembly, and Stryker stops a mutant's run at its first failing test: most
/// mutants are killed by an example test, so running those first spares them the property tests'
/// generators (and FsCheck's start-up in a fresh test host). Outside the gate it only fixes the order.
/// </summary>
public sealed class CheapFirstOrderer : ITestCollectionOrderer
{
    /// <inheritdoc />
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(collection => collection.DisplayName.Contains("Cache.Properties.", StringComparison.Ordinal) ? 1 : 0)
            .ThenBy(collection => collection.DisplayName, StringComparer.Ordinal);
}
