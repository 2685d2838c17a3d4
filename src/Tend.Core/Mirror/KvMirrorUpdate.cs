using Tend.Core.Kv;

namespace Tend.Core.Mirror;

/// <summary>What a <see cref="KvMirror"/> tells its subscribers after it swapped in a new snapshot.</summary>
/// <param name="Previous">The snapshot before the update.</param>
/// <param name="Current">The snapshot after the update.</param>
/// <param name="ChangedKeys">The keys whose presence or value changed, sorted (a key put to the same value is not listed).</param>
/// <param name="Changes">The store's changes, in order (empty for a resync).</param>
/// <param name="IsResync">True when the store could not resume and the mirror was reloaded in full.</param>
public sealed record KvMirrorUpdate(KvSnapshot Previous, KvSnapshot Current, IReadOnlyList<string> ChangedKeys, IReadOnlyList<KvChange> Changes, bool IsResync);
