using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace Cache.Properties;

/// <summary>
/// How many cases a property runs and from which seed. By default 1,000 cases from a fresh seed.
/// The mutation gate sets CACHE_PROPERTY_MAXTEST and CACHE_PROPERTY_SEED so every mutant meets the
/// same sequences: a mutant is then killed for a reason, not by chance.
/// </summary>
internal static class PropertyRun
{
    public static int MaxTest { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("CACHE_PROPERTY_MAXTEST"), out int maxTest) ? maxTest : 1000;

    public static Config Config
    {
        get
        {
            var config = FsCheck.Config.QuickThrowOnFailure.WithMaxTest(MaxTest).WithEndSize(100);
            return ulong.TryParse(Environment.GetEnvironmentVariable("CACHE_PROPERTY_SEED"), out ulong seed)
                ? config.WithReplay(FSharpOption<FsCheck.Replay>.Some(new FsCheck.Replay(new Rnd(seed), FSharpOption<int>.None)))
                : config;
        }
    }

    public static void Check<T>(Arbitrary<T> arbitrary, Action<T> property) =>
        FsCheck.Check.One(Config, Prop.ForAll(arbitrary, property));
}
