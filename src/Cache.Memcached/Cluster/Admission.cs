namespace Cache.Memcached.Cluster;

/// <summary>
/// A check made under <see cref="Gate"/> at the moment a request is queued on its connection: a write
/// detaches a running factory of its key there, and a factory's store goes only while its run is
/// still registered, so no factory's value is sent after a newer write of its key from this process.
/// </summary>
/// <param name="Gate">The cache's lock.</param>
/// <param name="Admit">Run under the lock; false turns the request away.</param>
internal readonly record struct Admission(Lock Gate, Func<bool> Admit);
