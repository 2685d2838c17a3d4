namespace Tend.Stores.Consul.Wire;

/// <summary>The answer of <c>/v1/txn</c> (200 applied, 409 rolled back).</summary>
internal sealed class TxnAnswer
{
    public List<TxnResult>? Results { get; set; }

    public List<TxnError>? Errors { get; set; }
}
