namespace Tend.Modules.Render;

/// <summary>
/// A consul-template template rendered while some dependency it reads had no data (a key read with
/// <c>key</c> that does not exist, an empty <c>safeLs</c>, a missing <c>file</c>): consul-template
/// does not write such a render, and neither does Tend; the resource waits for the data.
/// </summary>
internal sealed class RenderWaitingException(IReadOnlyList<string> missing)
    : Exception($"waiting for data: {string.Join(", ", missing)}")
{
    /// <summary>The dependencies without data, in consul-template's notation (<c>kv.block(app/db/host)</c>).</summary>
    public IReadOnlyList<string> Missing { get; } = missing;
}
