using System.Collections.Concurrent;
using Tend.Core.Processes;

namespace Tend.Testing;

/// <summary>Records every command and answers with a scripted exit code (0 unless a rule matches).</summary>
public sealed class FakeCommandRunner : ICommandRunner
{
    private readonly ConcurrentQueue<string> _commands = new();

    /// <summary>Exit code by command-line substring.</summary>
    public ConcurrentDictionary<string, int> ExitCodes { get; } = new();

    /// <summary>Runs before answering, e.g. to look at the staged file a check command names.</summary>
    public Action<string>? OnRun { get; set; }

    public IReadOnlyList<string> Commands => [.. _commands];

    public Task<CommandResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default)
    {
        _commands.Enqueue(spec.CommandLine);
        OnRun?.Invoke(spec.CommandLine);
        var code = ExitCodes.Where(kv => spec.CommandLine.Contains(kv.Key, StringComparison.Ordinal)).Select(kv => kv.Value).FirstOrDefault();
        return Task.FromResult(new CommandResult(code, string.Empty, code == 0 ? string.Empty : "scripted failure", false, TimeSpan.FromMilliseconds(1)));
    }
}
