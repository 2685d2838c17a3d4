namespace Tend.Templates;

/// <summary>A key and its value, as confd's <c>get</c> and <c>gets</c> return them (<c>.Key</c>, <c>.Value</c>).</summary>
/// <param name="Key">The absolute key, e.g. <c>/app/db/host</c>.</param>
/// <param name="Value">The value.</param>
public readonly record struct KVPair(string Key, string Value) : ITemplateStruct
{
    // Plain delegates: .Key and .Value are what nearly every confd template reads.
    private static readonly TemplateStructType Type = new(
        "memkv.KVPair",
        [new TemplateField("Key", static o => ((KVPair)o).Key), new TemplateField("Value", static o => ((KVPair)o).Value)],
        []);

    /// <inheritdoc/>
    TemplateStructType ITemplateStruct.TemplateType => Type;
}
