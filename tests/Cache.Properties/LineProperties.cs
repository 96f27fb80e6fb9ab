using Cache.Core;
using Cache.Core.Representation;
using Cache.Properties.Model;
using FsCheck;
using FsCheck.Fluent;

namespace Cache.Properties;

/// <summary>
/// Many lines of states grown from one: a live <see cref="Cache.Async.InMemoryCache"/> and dry runs
/// forked from its snapshots and from each other, all moving at once. The shell's own operations
/// (hits past the 256-slot hit buffer, batches larger than it, writes, sweeps, Clear) interleave
/// with folds over the dry lines. Every line is checked against a reference model of its own and
/// the integrity check at every step, and every operation against a cost bound: at most one fork,
/// records read in proportion to the state's size, and no fork ever on the live line.
/// </summary>
public sealed class LineProperties
{
    private const int BigBatch = 300; // past the hit buffer's 256 slots
    private const int Newest = -1;
    private static readonly TimeSpan SweepInterval = TimeSpan.FromHours(1); // far past any run of advances: sweeps come only when asked
    private static readonly TtlChoice BatchTtl = new(4);

    [Fact]
    public void Every_line_of_states_keeps_its_own_answers_whatever_the_others_do() =>
        PropertyRun.Check(Programs, program => new Run(program).Execute());

    private static Arbitrary<LineProgram> Programs { get; } = Arb.From(
        from maxSize in Gen.Frequency((3, Gen.Choose(1, 40)), (1, Gen.Choose(100, 250)))
        from length in Gen.Choose(1, 60)
        from steps in Gen.ArrayOf(Steps(maxSize), length)
        from policy in Gen.Elements(EvictionPolicy.Lru, EvictionPolicy.TinyLfu)
        select new LineProgram(maxSize, steps, policy),
        Shrink);

    private static IEnumerable<LineProgram> Shrink(LineProgram program)
    {
        var steps = program.Steps;
        for (int chunk = steps.Count / 2; chunk >= 1; chunk /= 2)
        {
            for (int start = 0; start + chunk <= steps.Count; start += chunk)
            {
                yield return program with { Steps = [.. steps.Take(start), .. steps.Skip(start + chunk)] };
            }
        }
    }

    private static Gen<LineStep> Steps(int maxSize)
    {
        var keys = Gen.Choose(0, maxSize + 4).Select(i => $"k{i}");
        var batch = from length in Gen.Frequency((3, Gen.Choose(1, 8)), (2, Gen.Choose(BigBatch - 44, BigBatch + 20)))
                    from chosen in Gen.ArrayOf(keys, length)
                    select chosen;
        var line = Gen.Frequency((1, Gen.Constant(Newest)), (1, Gen.Choose(0, 7))); // the newest line is the one sharing the live cache's logs
        var operation = from key in keys
                        from value in Gen.Choose(0, 99)
                        from ttl in Gen.Elements(TtlChoice.Default, new TtlChoice(1), new TtlChoice(4), TtlChoice.Infinite)
                        from halves in Gen.Elements(1, 2, 4, 6)
                        from op in Gen.Elements<Operation>(
                            new SetOp(key, value, ttl), new SetOp(key, value, ttl), new GetOp(key), new GetOp(key), new TryGetOp(key),
                            new ExistsOp(key), new RemoveOp(key), new GetOrSetOp(key, value, ttl), new ClearOp(),
                            new AdvanceOp(TimeSpan.FromMilliseconds(500 * halves)))
                        select op;
        return Gen.Frequency(
            (6, operation.Select(op => (LineStep)new LiveOperation(op))),
            (3, batch.Select(k => (LineStep)new LiveGetMany(k))),
            (1, from k in batch from v in Gen.Choose(0, 99) select (LineStep)new LiveSetMany(k, v)),
            (1, batch.Select(k => (LineStep)new LiveRemoveMany(k))),
            (1, Gen.Constant((LineStep)new LiveSweep())),
            (3, Gen.Constant((LineStep)new TakeSnapshot())),
            (1, line.Select(l => (LineStep)new Branch(l))),
            (8, from l in line from op in operation select (LineStep)new DryOperation(l, op)),
            (2, from l in line from k in batch select (LineStep)new DryGetMany(l, k)),
            (1, from l in line from k in batch from v in Gen.Choose(0, 99) select (LineStep)new DrySetMany(l, k, v)),
            (1, line.Select(l => (LineStep)new DryEvict(l))),
            (1, line.Select(l => (LineStep)new DryTrim(l))));
    }

    /// <summary>One generated program run: the live cache and its model, and the dry lines with theirs.</summary>
    private sealed class Run(LineProgram program) : IDisposable
    {
        private readonly ShellSystem _live = new(program.MaxSize, Scenarios.DefaultTtl, sweep: SweepInterval, policy: program.Policy);
        private readonly ReferenceModel _liveModel = new(program.MaxSize, Scenarios.DefaultTtl, program.Policy);
        private readonly List<DryLine> _lines = [];
        private TimeSpan _nextSweep = SweepInterval;

        public void Dispose() => _live.Dispose();

        public void Execute()
        {
            using (this)
            {
                for (int step = 0; step < program.Steps.Count; step++)
                {
                    LineStep current = program.Steps[step];
                    long read = ScanMeter.RecordsRead;
                    long forks = ScanMeter.Forks;
                    bool live = Apply(current, step);
                    long readNow = ScanMeter.RecordsRead - read;
                    long forksNow = ScanMeter.Forks - forks;
                    Require(step, current, live ? forksNow == 0 : forksNow <= 1, $"{forksNow} forks");
                    // Logs are allocated in chunks of 1,024 records, so a small cache's log may hold that
                    // many stale records before it is copied: a constant, not a function of n.
                    long bound = (16L * (program.MaxSize + BatchLength(current) + 1)) + (4 * 1024);
                    Require(step, current, readNow <= bound, $"{readNow} records read, over {bound}");
                    CheckAll(step, current);
                }
            }
        }

        /// <summary>Applies a step; true when it ran on the live line.</summary>
        private bool Apply(LineStep step, int index)
        {
            switch (step)
            {
                case LiveOperation { Operation: var operation }:
                    Agree(index, step, _liveModel.Apply(operation), _live.Apply(operation), "live answer");
                    return true;
                case LiveGetMany { Keys: var keys }:
                    var found = _live.Cache.GetManyAsync<int>(keys).Result;
                    Agree(index, step, _liveModel.GetManyLeavingExpired(keys), Describe(found), "live GetMany");
                    return true;
                case LiveSetMany { Keys: var keys, Value: var value }:
                    _live.Cache.SetManyAsync(keys.Select(k => KeyValuePair.Create(k, value)), BatchTtl.AsTimeSpan).AsTask().GetAwaiter().GetResult();
                    foreach (string key in keys)
                    {
                        _liveModel.Apply(new SetOp(key, value, BatchTtl));
                    }

                    return true;
                case LiveRemoveMany { Keys: var keys }:
                    int removed = _live.Cache.RemoveManyAsync(keys).Result;
                    int expected = keys.Count(key => _liveModel.Apply(new RemoveOp(key)) == "true");
                    Agree(index, step, $"{expected}", $"{removed}", "live RemoveMany");
                    return true;
                case LiveSweep:
                    TimeSpan by = _nextSweep - _live.Cache.GetElapsedTime();
                    _liveModel.Apply(new AdvanceOp(by));
                    _liveModel.Sweep();
                    _live.Time.Advance(by);
                    _nextSweep += SweepInterval;
                    return true;
                case TakeSnapshot:
                    _lines.Add(new DryLine(_live.Cache.Snapshot(), _liveModel.Clone(), _live.Cache.GetElapsedTime()));
                    return true;
                case Branch { Line: var l } when _lines.Count > 0:
                    DryLine parent = Pick(l);
                    _lines.Add(new DryLine(parent.State, parent.Model.Clone(), parent.Now));
                    return false;
                case DryStep dry when _lines.Count > 0:
                    ApplyDry(Pick(dry.Line), dry, index);
                    return false;
                default:
                    return false; // a dry step before any line exists does nothing
            }
        }

        private DryLine Pick(int line) => _lines[line == Newest ? _lines.Count - 1 : line % _lines.Count];

        private static void ApplyDry(DryLine line, DryStep step, int index)
        {
            switch (step)
            {
                case DryOperation { Operation: var operation }:
                    if (operation is AdvanceOp advance)
                    {
                        line.Now += advance.By;
                    }

                    string expected = line.Model.Apply(operation);
                    var (answer, state, removed) = CoreSystem.Step(line.State, line.Now, operation);
                    Agree(index, step, expected, answer, "dry answer");
                    Agree(index, step, Describe(line.Model.Removed), Describe(removed.Select(r => (r.Key, r.Reason, r.Eviction))), "dry removals");
                    line.State = state;
                    return;
                case DryGetMany { Keys: var keys }:
                    var many = line.State.GetMany(keys, line.Now);
                    var hits = new SortedDictionary<string, object?>(StringComparer.Ordinal);
                    foreach (string key in keys)
                    {
                        if (line.Model.Apply(new GetOp(key)) is var hit && hit.StartsWith("hit ", StringComparison.Ordinal))
                        {
                            hits[key] = int.Parse(hit[4..], System.Globalization.CultureInfo.InvariantCulture);
                        }
                    }

                    Agree(index, step, Describe(hits), Describe(many.Found), "dry GetMany");
                    line.State = many.State;
                    return;
                case DrySetMany { Keys: var keys, Value: var value }:
                    line.State = line.State.SetMany(keys.Select(k => KeyValuePair.Create(k, (object?)value)), BatchTtl.AsTimeSpan!.Value, line.Now).State;
                    foreach (string key in keys)
                    {
                        line.Model.Apply(new SetOp(key, value, BatchTtl));
                    }

                    return;
                case DryEvict:
                    var evicted = line.State.Evict(line.Now);
                    line.Model.Evict();
                    Agree(index, step, Describe(line.Model.Removed), Describe(evicted.Removals.Select(r => (r.Key, r.Reason, r.Eviction))), "dry Evict");
                    line.State = evicted.State;
                    return;
                case DryTrim:
                    line.State = line.State.TrimExcess();
                    return;
                default:
                    throw new ArgumentOutOfRangeException(nameof(step), step, "unknown step");
            }
        }

        private void CheckAll(int index, LineStep step)
        {
            var live = _live.Cache.Snapshot();
            Check(index, step, "live", live, _liveModel, _live.Cache.GetElapsedTime());
            for (int i = 0; i < _lines.Count; i++)
            {
                Check(index, step, $"line {i}", _lines[i].State, _lines[i].Model, _lines[i].Now);
            }
        }

        private static void Check(int index, LineStep step, string name, CacheState<string, object?> state, ReferenceModel model, TimeSpan now)
        {
            try
            {
                state.CheckIntegrity();
            }
            catch (InvalidOperationException broken)
            {
                throw new ModelDisagreementException($"step {index} ({step}): {name}: {broken.Message}");
            }

            Agree(index, step, string.Join(",", model.KeysByRecency), string.Join(",", state.Keys), $"{name} recency order");
            Agree(index, step, $"{model.Count}/{model.ExpiredCount}", $"{state.Count}/{state.CountExpired(now)}", $"{name} stored/expired");
        }

        private static int BatchLength(LineStep step) => step switch
        {
            LiveGetMany s => s.Keys.Length,
            LiveSetMany s => s.Keys.Length,
            LiveRemoveMany s => s.Keys.Length,
            DryGetMany s => s.Keys.Length,
            DrySetMany s => s.Keys.Length,
            _ => 0,
        };

        private static string Describe<TValue>(IEnumerable<KeyValuePair<string, TValue>> found) =>
            string.Join(",", found.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={pair.Value}"));

        private static string Describe(IEnumerable<(string Key, RemovalReason Reason, EvictionDecision Eviction)> removals) =>
            string.Join(",", removals.Select(r => $"{r.Key}:{r.Reason}{(r.Eviction == EvictionDecision.None ? "" : "/" + r.Eviction)}"));

        private static void Agree(int index, LineStep step, string expected, string actual, string what) =>
            Require(index, step, expected == actual, $"{what} was '{actual}', the model says '{expected}'");

        private static void Require(int index, LineStep step, bool condition, string broken)
        {
            if (!condition)
            {
                throw new ModelDisagreementException($"step {index} ({step}): {broken}");
            }
        }
    }

    private sealed class DryLine(CacheState<string, object?> state, ReferenceModel model, TimeSpan now)
    {
        public CacheState<string, object?> State { get; set; } = state;

        public ReferenceModel Model { get; } = model;

        public TimeSpan Now { get; set; } = now;
    }
}

/// <summary>A generated program: a cache size and the steps run on the live cache and the dry lines.</summary>
internal sealed record LineProgram(int MaxSize, IReadOnlyList<LineStep> Steps, EvictionPolicy Policy = EvictionPolicy.Lru)
{
    public override string ToString() =>
        $"MaxSize {MaxSize}, {Policy}, {Steps.Count} steps:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", Steps);
}

internal abstract record LineStep;

internal sealed record LiveOperation(Operation Operation) : LineStep;

internal sealed record LiveGetMany(string[] Keys) : LineStep
{
    public override string ToString() => $"LiveGetMany({Keys.Length} keys: {string.Join(" ", Keys.Take(10))}...)";
}

internal sealed record LiveSetMany(string[] Keys, int Value) : LineStep
{
    public override string ToString() => $"LiveSetMany({Keys.Length} keys = {Value}: {string.Join(" ", Keys.Take(10))}...)";
}

internal sealed record LiveRemoveMany(string[] Keys) : LineStep
{
    public override string ToString() => $"LiveRemoveMany({Keys.Length} keys: {string.Join(" ", Keys.Take(10))}...)";
}

internal sealed record LiveSweep : LineStep;

internal sealed record TakeSnapshot : LineStep;

internal sealed record Branch(int Line) : LineStep;

internal abstract record DryStep(int Line) : LineStep;

internal sealed record DryOperation(int Line, Operation Operation) : DryStep(Line);

internal sealed record DryGetMany(int Line, string[] Keys) : DryStep(Line)
{
    public override string ToString() => $"DryGetMany(line {Line}, {Keys.Length} keys: {string.Join(" ", Keys.Take(10))}...)";
}

internal sealed record DrySetMany(int Line, string[] Keys, int Value) : DryStep(Line)
{
    public override string ToString() => $"DrySetMany(line {Line}, {Keys.Length} keys = {Value}: {string.Join(" ", Keys.Take(10))}...)";
}

internal sealed record DryEvict(int Line) : DryStep(Line);

internal sealed record DryTrim(int Line) : DryStep(Line);
