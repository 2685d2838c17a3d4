namespace Tend.Templates.Functions;

/// <summary>
/// One key as consul-template's <c>ls</c> and <c>tree</c> return it (its dependency.KeyPair):
/// <c>.Path</c> the whole key from the KV root, <c>.Key</c> the part below the listed prefix,
/// <c>.Value</c>, and Consul's bookkeeping fields (zero here: Tend's stores have no such indexes
/// per key in the snapshot a template reads).
/// </summary>
internal sealed record ConsulKeyPair(string Path, string Key, string Value) : ITemplateStruct
{
    private static readonly TemplateStructType Type = new TemplateStructBuilder<ConsulKeyPair>("dependency.KeyPair")
        .Field("Path", static p => p.Path)
        .Field("Key", static p => p.Key)
        .Field("Value", static p => p.Value)
        .Field("CreateIndex", static _ => 0L)
        .Field("ModifyIndex", static _ => 0L)
        .Field("LockIndex", static _ => 0L)
        .Field("Flags", static _ => 0L)
        .Field("Session", static _ => string.Empty)
        .Build();

    /// <inheritdoc/>
    TemplateStructType ITemplateStruct.TemplateType => Type;
}
