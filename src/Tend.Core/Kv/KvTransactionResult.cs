namespace Tend.Core.Kv;

/// <summary>The outcome of <see cref="IKvStore.CommitAsync"/>.</summary>
/// <param name="Succeeded">True when every compare held and the operations were applied.</param>
/// <param name="Revision">The store revision after the transaction (the current one when it did not apply).</param>
public sealed record KvTransactionResult(bool Succeeded, long Revision);
