using Cache.Core;
using Cache.Properties.Model;

namespace Cache.Properties;

/// <summary>Replays a scenario against the model and a system, step by step, and throws at the first disagreement.</summary>
internal static class ModelAgreement
{
    public static void Core(Scenario scenario, bool plantBugInModel = false)
    {
        var model = new ReferenceModel(scenario.MaxSize, Scenarios.DefaultTtl, scenario.Policy) { EvictsMostRecentlyUsed = plantBugInModel };
        var core = new CoreSystem(scenario.MaxSize, Scenarios.DefaultTtl, scenario.Policy);
        for (int step = 0; step < scenario.Operations.Count; step++)
        {
            var operation = scenario.Operations[step];
            string expected = model.Apply(operation);
            string actual = core.Apply(operation);
            var state = core.State;
            state.CheckIntegrity();

            if (operation is not StatsOp)
            {
                Agree(step, operation, expected, actual, "core answer");
            }

            Agree(step, operation, Describe(model.Removed), Describe(core.Removed.Select(r => (r.Key, r.Reason, r.Eviction))), "core removals");
            Agree(step, operation, string.Join(",", model.KeysByRecency), string.Join(",", state.Keys), "core recency order");
            Agree(step, operation, $"{model.Count}/{model.ExpiredCount}", $"{state.Count}/{state.CountExpired(core.Now)}", "core stored/expired");
        }
    }

    public static void Shell(Scenario scenario)
    {
        var model = new ReferenceModel(scenario.MaxSize, Scenarios.DefaultTtl, scenario.Policy);
        using var shell = new ShellSystem(scenario.MaxSize, Scenarios.DefaultTtl, policy: scenario.Policy);
        for (int step = 0; step < scenario.Operations.Count; step++)
        {
            var operation = scenario.Operations[step];
            Agree(step, operation, model.Apply(operation), shell.Apply(operation), "InMemoryCache answer");
            Agree(step, operation, model.Stats(), shell.Stats(), "InMemoryCache stats");
            var state = shell.Cache.Snapshot();
            state.CheckIntegrity();
            Agree(step, operation, string.Join(",", model.KeysByRecency), string.Join(",", state.Keys), "InMemoryCache recency order");
        }
    }

    private static string Describe(IEnumerable<(string Key, RemovalReason Reason, EvictionDecision Eviction)> removals) =>
        string.Join(",", removals.Select(r => $"{r.Key}:{r.Reason}{(r.Eviction == EvictionDecision.None ? "" : "/" + r.Eviction)}"));

    private static void Agree(int step, Operation operation, string expected, string actual, string what)
    {
        if (expected != actual)
        {
            throw new ModelDisagreementException($"step {step} ({operation}): {what} was '{actual}', the model says '{expected}'");
        }
    }
}

/// <summary>A system answered differently from the reference model.</summary>
internal sealed class ModelDisagreementException(string message) : Exception(message);
