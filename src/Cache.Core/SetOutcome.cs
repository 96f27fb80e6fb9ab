namespace Cache.Core;

/// <summary>What a Set did with its key.</summary>
public enum SetOutcome
{
    /// <summary>The key held no live entry; a new one was added.</summary>
    Added,

    /// <summary>The key held a live entry; its value was replaced.</summary>
    Replaced,
}
