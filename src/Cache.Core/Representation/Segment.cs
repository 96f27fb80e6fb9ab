namespace Cache.Core.Representation;

/// <summary>The part of a W-TinyLFU cache an entry is in; under LRU every entry is in the window, which is then the whole cache.</summary>
internal enum Segment : byte
{
    /// <summary>New keys' LRU (under LRU, the only order).</summary>
    Window,

    /// <summary>The main space's entries not yet used again since they were admitted (or demoted).</summary>
    Probation,

    /// <summary>The main space's entries used again while in probation.</summary>
    Protected,
}
