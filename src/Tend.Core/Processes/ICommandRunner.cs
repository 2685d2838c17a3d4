namespace Tend.Core.Processes;

/// <summary>Runs commands; the seam modules use so tests can script command outcomes.</summary>
public interface ICommandRunner
{
    /// <summary>Runs <paramref name="spec"/> to completion or timeout. Never throws for a failing command; only for cancellation.</summary>
    Task<CommandResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default);
}
