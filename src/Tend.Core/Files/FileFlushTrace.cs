namespace Tend.Core.Files;

/// <summary>
/// Records, in order, the flushes and renames made by the code that runs under it: the async flow that started it
/// and the tasks and threads that flow starts (a render pass run on the pool, the flusher's fsyncs). For tests that
/// observe what reached the disk before a rename through a whole module, where a per-thread counter cannot follow.
/// </summary>
internal sealed class FileFlushTrace : IDisposable
{
    private static readonly AsyncLocal<FileFlushTrace?> Current = new();

    private readonly Lock _gate = new();
    private readonly List<(FileFlushStep Step, string Path)> _steps = [];

    private FileFlushTrace()
    {
    }

    /// <summary>What was recorded so far.</summary>
    public IReadOnlyList<(FileFlushStep Step, string Path)> Steps
    {
        get
        {
            lock (_gate)
            {
                return [.. _steps];
            }
        }
    }

    /// <summary>Starts recording for the current async flow and what it starts from now on.</summary>
    public static FileFlushTrace Start() => Current.Value = new FileFlushTrace();

    /// <summary>Records <paramref name="step"/> on <paramref name="path"/> when a trace is running in this flow; nothing otherwise.</summary>
    public static void Note(FileFlushStep step, string path)
    {
        if (Current.Value is { } trace)
        {
            lock (trace._gate)
            {
                trace._steps.Add((step, path));
            }
        }
    }

    public void Dispose()
    {
        if (ReferenceEquals(Current.Value, this))
        {
            Current.Value = null;
        }
    }
}
