using System.Reflection;
using System.Runtime.ExceptionServices;
using StackExchange.Redis;

namespace Cache.Redis.Tests;

/// <summary>
/// A real connection whose GET replies the test can hold: the server has executed the GET and
/// answered, but the cache sees the answer only when the test lets it. Every other command, and
/// every reply while nothing is held, goes straight through: no mock stands in for Redis.
/// </summary>
public sealed class HeldGetReplies
{
    private TaskCompletionSource _release = Released();
    private int _held;

    /// <summary>How many GET replies have been held since <see cref="Hold"/>.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>Wraps a connection so that the databases it gives out pass their GET replies through this gate.</summary>
    /// <param name="connection">The real connection.</param>
    /// <returns>The wrapped connection.</returns>
    public IConnectionMultiplexer Wrap(IConnectionMultiplexer connection)
    {
        IConnectionMultiplexer proxy = DispatchProxy.Create<IConnectionMultiplexer, ConnectionProxy>();
        ((ConnectionProxy)proxy).Init(connection, this);
        return proxy;
    }

    /// <summary>Holds the replies of GETs sent from now on, until <see cref="Release"/>.</summary>
    public void Hold()
    {
        Volatile.Write(ref _held, 0);
        Volatile.Write(ref _release, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    /// <summary>Hands the held replies to the cache, and lets later ones through.</summary>
    public void Release() => Volatile.Read(ref _release).TrySetResult();

    private static TaskCompletionSource Released()
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        released.SetResult();
        return released;
    }

    private static object? Forward(MethodInfo method, object target, object?[]? args)
    {
        try
        {
            return method.Invoke(target, args);
        }
        catch (TargetInvocationException invocation) when (invocation.InnerException is { } inner)
        {
            ExceptionDispatchInfo.Throw(inner);
            throw;
        }
    }

    private async Task<RedisValue> Through(Task<RedisValue> reply)
    {
        Task release = Volatile.Read(ref _release).Task;
        if (release.IsCompleted)
        {
            return await reply;
        }

        Interlocked.Increment(ref _held);
        RedisValue value = await reply;
        await release.WaitAsync(TimeSpan.FromSeconds(10));
        return value;
    }

    /// <summary>Forwards every member; the databases it gives out are <see cref="DatabaseProxy"/>.</summary>
    public class ConnectionProxy : DispatchProxy
    {
        private IConnectionMultiplexer _inner = null!;
        private HeldGetReplies _gate = null!;

        internal void Init(IConnectionMultiplexer inner, HeldGetReplies gate)
        {
            _inner = inner;
            _gate = gate;
        }

        /// <inheritdoc/>
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            object? result = Forward(targetMethod!, _inner, args);
            if (result is IDatabase database && targetMethod!.Name == nameof(IConnectionMultiplexer.GetDatabase))
            {
                IDatabase proxy = DispatchProxy.Create<IDatabase, DatabaseProxy>();
                ((DatabaseProxy)proxy).Init(database, _gate);
                return proxy;
            }

            return result;
        }
    }

    /// <summary>Forwards every member; the reply of a single-key GET passes the gate.</summary>
    public class DatabaseProxy : DispatchProxy
    {
        private IDatabase _inner = null!;
        private HeldGetReplies _gate = null!;

        internal void Init(IDatabase inner, HeldGetReplies gate)
        {
            _inner = inner;
            _gate = gate;
        }

        /// <inheritdoc/>
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            object? result = Forward(targetMethod!, _inner, args);
            return targetMethod!.Name == nameof(IDatabase.StringGetAsync) && result is Task<RedisValue> reply ? _gate.Through(reply) : result;
        }
    }
}
