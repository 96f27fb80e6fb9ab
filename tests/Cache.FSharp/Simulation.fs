/// The cache as an F# programmer drives it: operations are a union, a run is a fold.
module Cache.FSharp.Simulation

open System
open Cache.Core

type Op =
    | Set of key: string * value: int
    | SetFor of key: string * value: int * ttl: TimeSpan
    | Get of key: string
    | Remove of key: string
    | Advance of TimeSpan
    | Expire
    | Clear

/// What one step reported, with no nulls: a lookup is an option.
type Event =
    | Stored of key: string * SetOutcome
    | Found of key: string * value: int option
    | Dropped of key: string * RemovalReason
    | RemovedLive of key: string * bool

type Simulation =
    { State: CacheState<string, int>
      Now: TimeSpan
      Events: Event list }

let start (options: CacheOptions) =
    { State = CacheState<string, int>.Empty options; Now = TimeSpan.Zero; Events = [] }

let private dropped (removals: Collections.Immutable.ImmutableArray<CacheRemoval<string, int>>) =
    [ for r in removals -> Dropped(r.Key, r.Reason) ]

/// One step: a pure function of the simulation and the operation.
let step (sim: Simulation) (op: Op) : Simulation =
    let record state events = { sim with State = state; Events = sim.Events @ events }
    match op with
    | Set (key, value) ->
        let result = sim.State.Set(key, value, sim.Now)
        record result.State (dropped result.Removals @ [ Stored(key, result.Outcome) ])
    | SetFor (key, value, ttl) ->
        let result = sim.State.Set(key, value, ttl, sim.Now)
        record result.State (dropped result.Removals @ [ Stored(key, result.Outcome) ])
    | Get key ->
        let result = sim.State.Get(key, sim.Now)
        let value =
            match result.TryGetValue() with
            | true, v -> Some v
            | false, _ -> None
        record result.State (dropped result.Removals @ [ Found(key, value) ])
    | Remove key ->
        let result = sim.State.Remove(key, sim.Now)
        record result.State (dropped result.Removals @ [ RemovedLive(key, result.Removed) ])
    | Advance by -> { sim with Now = sim.Now + by }
    | Expire ->
        let result = sim.State.Expire(sim.Now)
        record result.State (dropped result.Removals)
    | Clear ->
        let result = sim.State.Clear(sim.Now)
        record result.State (dropped result.Removals)

/// A whole run is a fold: a complete simulation of the cache.
let run options ops = List.fold step (start options) ops
