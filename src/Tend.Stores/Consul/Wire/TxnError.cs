namespace Tend.Stores.Consul.Wire;

/// <summary>Why a rolled-back transaction failed: the index of the operation and Consul's message.</summary>
internal sealed class TxnError
{
    public int OpIndex { get; set; }

    public string What { get; set; } = string.Empty;
}
