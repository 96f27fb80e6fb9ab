using Cache.Properties.Model;

namespace Cache.Properties;

/// <summary>
/// The core and InMemoryCache agree with the naive reference model on every answer, every
/// removal, the recency order and every statistic, at every step of every generated scenario.
/// </summary>
public sealed class ModelProperties
{
    [Fact]
    public void The_core_and_InMemoryCache_agree_with_the_model_at_every_step_of_the_same_sequences() =>
        PropertyRun.Check(Scenarios.Arbitrary, scenario =>
        {
            ModelAgreement.Core(scenario);
            ModelAgreement.Shell(scenario);
        });

    [Fact]
    public void The_core_and_InMemoryCache_under_W_TinyLFU_agree_with_the_model_at_every_step() =>
        PropertyRun.Check(Scenarios.TinyLfu, scenario =>
        {
            ModelAgreement.Core(scenario);
            ModelAgreement.Shell(scenario);
        });

    [Fact]
    public void A_planted_bug_is_caught_and_shrinks_to_a_short_sequence()
    {
        // The model is told to evict the most recently used entry: the core is right and the
        // model wrong, which the property must notice and shrink to a handful of steps.
        Scenario? smallest = null;
        var error = Assert.ThrowsAny<Exception>(() => PropertyRun.Check(Scenarios.Arbitrary, scenario =>
        {
            try
            {
                ModelAgreement.Core(scenario, plantBugInModel: true);
            }
            catch (ModelDisagreementException)
            {
                if (smallest is null || scenario.Operations.Count < smallest.Operations.Count)
                {
                    smallest = scenario;
                }

                throw;
            }
        }));

        Assert.Contains("Falsifiable", error.Message, StringComparison.Ordinal);
        Assert.NotNull(smallest);
        // Fill to capacity with MaxSize 1 needs two Sets of distinct keys, then one read to see it.
        Assert.InRange(smallest.Operations.Count, 2, 6);
    }
}
