namespace Tend.Templates;

/// <summary>
/// What one render of a consul-template template waited for. consul-template renders a template
/// only once every dependency it reads has data: <c>key</c> of a key that does not exist,
/// <c>safeLs</c>/<c>safeTree</c> of an empty prefix, <c>file</c> of a missing file leave their
/// dependency here (and yield an empty value), and the caller keeps the old output while any is
/// listed. Reset it before each render; one render at a time.
/// </summary>
public sealed class ConsulTemplateDependencies
{
    private readonly List<string> _missing = [];

    /// <summary>The dependencies without data, in consul-template's notation (<c>kv.block(app/db/host)</c>), in the order first read.</summary>
    public IReadOnlyList<string> Missing => _missing;

    /// <summary>Forgets what the last render waited for.</summary>
    public void Reset() => _missing.Clear();

    /// <summary>Records a dependency that has no data yet (each name once).</summary>
    public void AddMissing(string dependency)
    {
        ArgumentException.ThrowIfNullOrEmpty(dependency);
        if (!_missing.Contains(dependency, StringComparer.Ordinal))
        {
            _missing.Add(dependency);
        }
    }
}
