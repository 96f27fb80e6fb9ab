using Cache.Core;

namespace Cache.Unit.Support;

/// <summary>States the core tests start from.</summary>
internal static class States
{
    /// <summary>A state that stores k0 .. k(count-1) (values 0 .. count-1) set at <paramref name="now"/>, k0 the least recently used.</summary>
    public static CacheState<string, int> Filled(int count, TimeSpan now, int maxSize = 100)
    {
        var state = CacheState<string, int>.Empty(new CacheOptions { MaxSize = maxSize, DefaultTtl = TimeSpan.FromMinutes(1) });
        for (int i = 0; i < count; i++)
        {
            state = state.Set($"k{i}", i, now).State;
        }

        return state;
    }
}
