namespace Tend.Hosting;

/// <summary>
/// A validated configuration of one module, not yet in force (<see cref="IDaemonModule.ValidateAsync"/>):
/// <see cref="ApplyAsync"/> puts it in force; disposing it unapplied drops what validation built.
/// </summary>
internal sealed class ModuleChange : IAsyncDisposable
{
    private readonly Func<CancellationToken, Task> _apply;
    private readonly Func<ValueTask>? _abandon;
    private bool _applied;

    /// <param name="apply">Starts, reconfigures or stops the module.</param>
    /// <param name="abandon">Releases what validation built, when the change is dropped instead of applied.</param>
    public ModuleChange(Func<CancellationToken, Task> apply, Func<ValueTask>? abandon = null)
    {
        _apply = apply;
        _abandon = abandon;
    }

    /// <summary>Puts the change in force; once.</summary>
    public Task ApplyAsync(CancellationToken cancellationToken = default)
    {
        if (_applied)
        {
            throw new InvalidOperationException("A module change is applied once.");
        }

        _applied = true;
        return _apply(cancellationToken);
    }

    /// <summary>Drops the change when it was not applied.</summary>
    public ValueTask DisposeAsync()
    {
        if (_applied || _abandon is null)
        {
            return ValueTask.CompletedTask;
        }

        _applied = true;
        return _abandon();
    }
}
