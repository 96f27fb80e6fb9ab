module Cache.FSharp.CoreFromFSharpTests

open System
open System.Collections.Generic
open Xunit
open Cache.Core
open Cache.FSharp.Simulation

let options = CacheOptions.Default.WithMaxSize(2).WithDefaultTtl(TimeSpan.FromMinutes 1.0)

[<Fact>]
let ``a fold of operations is a complete simulation`` () =
    let sim =
        run options [ Set("a", 1); Set("b", 2); Get "a"; Set("c", 3); Get "b"; Get "a" ]

    Assert.Equal<string list>([ "c"; "a" ], List.ofSeq sim.State.Keys)
    let expected =
        [ Stored("a", SetOutcome.Added)
          Stored("b", SetOutcome.Added)
          Found("a", Some 1)
          Dropped("b", RemovalReason.Evicted)
          Stored("c", SetOutcome.Added)
          Found("b", None)
          Found("a", Some 1) ]
    Assert.Equal<Event list>(expected, sim.Events)

[<Fact>]
let ``outcomes pattern-match without nulls`` () =
    let sim = run options [ SetFor("a", 1, TimeSpan.FromSeconds 5.0); Advance(TimeSpan.FromSeconds 5.0); Get "a"; Set("b", 2); Set("b", 3) ]

    let describe event =
        match event with
        | Found (key, Some v) -> sprintf "%s hit %d" key v
        | Found (key, None) -> sprintf "%s miss" key
        | Dropped (key, RemovalReason.Expired) -> sprintf "%s expired" key
        | Dropped (key, reason) -> sprintf "%s %A" key reason
        | Stored (key, SetOutcome.Replaced) -> sprintf "%s replaced" key
        | Stored (key, _) -> sprintf "%s added" key
        | RemovedLive (key, removed) -> sprintf "%s removed %b" key removed

    Assert.Equal<string list>(
        [ "a added"; "a expired"; "a miss"; "b added"; "b Replaced"; "b replaced" ],
        List.map describe sim.Events)

[<Fact>]
let ``transitions chain and old states stay as they were`` () =
    let now = TimeSpan.Zero
    let empty = CacheState<string, int>.Empty options
    let one = empty.Set("a", 1, now).State
    let two = one.Set("b", 2, now).State.Get("a", now).State
    Assert.Equal(0, empty.Count)
    Assert.Equal(1, one.Count)
    Assert.Equal<string list>([ "b"; "a" ], List.ofSeq two.Keys)

[<Fact>]
let ``a dry run asks what a Set would evict without touching the state`` () =
    let sim = run options [ Set("a", 1); Set("b", 2); Get "a" ]
    let wouldEvict =
        sim.State.Set("c", 3, sim.Now).Removals
        |> Seq.filter (fun r -> r.Reason = RemovalReason.Evicted)
        |> Seq.map (fun r -> r.Key)
        |> List.ofSeq
    Assert.Equal<string list>([ "b" ], wouldEvict)
    Assert.Equal<string list>([ "b"; "a" ], List.ofSeq sim.State.Keys)

[<Fact>]
let ``remove, expire and clear report why each entry left`` () =
    let sim =
        run
            (options.WithMaxSize 3)
            [ SetFor("short", 1, TimeSpan.FromSeconds 1.0); Set("a", 2); Set("b", 3)
              Remove "a"; Remove "a"; Advance(TimeSpan.FromSeconds 1.0); Expire; Set("c", 4); Clear ]
    let tail = sim.Events |> List.skip 3
    Assert.Equal<Event list>(
        [ Dropped("a", RemovalReason.Removed); RemovedLive("a", true); RemovedLive("a", false)
          Dropped("short", RemovalReason.Expired); Stored("c", SetOutcome.Added)
          Dropped("b", RemovalReason.Cleared); Dropped("c", RemovalReason.Cleared) ],
        tail)
    Assert.Equal(0, sim.State.Count)

[<Fact>]
let ``options are values with With methods and refuse bad input`` () =
    let changed = CacheOptions.Default.WithMaxSize(3)
    Assert.Equal(3, changed.MaxSize)
    Assert.Equal(1000, CacheOptions.Default.MaxSize)
    Assert.Throws<ArgumentOutOfRangeException>(fun () -> CacheOptions.Default.WithMaxSize 0 |> ignore) |> ignore
    Assert.Throws<ArgumentOutOfRangeException>(fun () -> CacheOptions.Default.WithDefaultTtl TimeSpan.Zero |> ignore) |> ignore

[<Fact>]
let ``a batch from F# is a list of pairs and its result deconstructs`` () =
    let state = CacheState<string, int>.Empty options
    let batch = state.SetMany([ KeyValuePair("a", 1); KeyValuePair("b", 2); KeyValuePair("c", 3) ], TimeSpan.Zero)
    // A batch larger than MaxSize keeps its last MaxSize keys; the rest are reported evicted.
    Assert.Equal<string list>([ "b"; "c" ], List.ofSeq batch.State.Keys)
    Assert.Equal<(string * RemovalReason) list>([ ("a", RemovalReason.Evicted) ], [ for r in batch.Removals -> r.Key, r.Reason ])

    let read = batch.State.GetMany([ "a"; "b"; "c" ], TimeSpan.Zero)
    Assert.Equal((2, 1), (read.Hits, read.Misses))
    let entries = [ for e in read.State.Entries -> e.Key, e.Value, e.ExpiresAt ]
    Assert.Equal<(string * int * TimeSpan option) list>(
        [ ("b", 2, Some(TimeSpan.FromMinutes 1.0)); ("c", 3, Some(TimeSpan.FromMinutes 1.0)) ],
        [ for (k, v, at) in entries -> k, v, Option.ofNullable at ])
