namespace Tend.Templates;

/// <summary>One SRV record as templates see it (Go's net.SRV): <c>.Target .Port .Priority .Weight</c>.</summary>
/// <param name="Target">Target host name, fully qualified with a trailing dot.</param>
/// <param name="Port">Port.</param>
/// <param name="Priority">Priority.</param>
/// <param name="Weight">Weight.</param>
public sealed record SrvRecord(string Target, long Port, long Priority, long Weight) : ITemplateStruct
{
    private static readonly TemplateStructType Type = new TemplateStructBuilder<SrvRecord>("net.SRV")
        .Field("Target", static r => r.Target)
        .Field("Port", static r => r.Port)
        .Field("Priority", static r => r.Priority)
        .Field("Weight", static r => r.Weight)
        .Build();

    /// <inheritdoc/>
    TemplateStructType ITemplateStruct.TemplateType => Type;
}
