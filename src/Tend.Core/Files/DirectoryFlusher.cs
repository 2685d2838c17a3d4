using Microsoft.Win32.SafeHandles;

namespace Tend.Core.Files;

/// <summary>
/// Makes renames durable (fsync of their directory) off the writer's path. A committed file is
/// visible the moment it is renamed; the directory fsync only decides which complete version a
/// power loss leaves behind, so it can run beside the next render. Renames that land while a
/// directory's fsync is pending or running are covered by one more fsync issued after them
/// (coalesced), so no rename is left unflushed and a burst costs one fsync, not one per file.
/// </summary>
/// <remarks>
/// Every staged file is flushed before its rename — fsynced (<see cref="FileDurability.Full"/>), or its
/// data written and waited for (<see cref="FileDurability.Ordered"/>, whose file fsync is handed over here
/// and runs before the directory's) — so whatever a crash leaves is one complete version, never a
/// partial file (for Ordered: on ext4 and XFS). <see cref="FlushAsync"/> waits until every rename so far is durable.
/// </remarks>
public sealed class DirectoryFlusher
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Pending> _dirs = new(StringComparer.Ordinal);

    private int _scheduled;
    private int _filesSynced;

    /// <summary>How many renames were scheduled so far (for tests).</summary>
    internal int Scheduled => Volatile.Read(ref _scheduled);

    /// <summary>How many files this flusher fsynced (for tests).</summary>
    internal int FilesSynced => Volatile.Read(ref _filesSynced);

    /// <summary>
    /// Schedules, after a rename into <paramref name="directory"/>, an fsync of <paramref name="file"/> (when given; the
    /// flusher owns and closes the handle) and then of the directory; then closes <paramref name="release"/> (a handle
    /// on the file the rename replaced), so freeing that file's blocks stays off the writer's path.
    /// </summary>
    public void Schedule(string directory, SafeFileHandle? file = null, SafeFileHandle? release = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Interlocked.Increment(ref _scheduled);
        lock (_gate)
        {
            if (!_dirs.TryGetValue(directory, out var p))
            {
                _dirs[directory] = p = new Pending();
            }

            if (file is not null)
            {
                p.Files.Add(file);
            }

            if (release is not null)
            {
                p.Releases.Add(release);
            }

            p.Dirty = true;
            if (p.Running is null)
            {
                p.Running = Task.Run(() => Drain(directory, p));
            }
        }
    }

    /// <summary>
    /// Closes <paramref name="handle"/> off the caller's path, without any fsync: for a file replaced by a rename that
    /// needs no flush (<see cref="FileDurability.None"/>), whose last close frees its blocks.
    /// </summary>
    public void Release(SafeFileHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ThreadPool.UnsafeQueueUserWorkItem(static h => h.Dispose(), handle, preferLocal: false);
    }

    /// <summary>Completes once every rename scheduled before the call is on disk.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task[] running;
            lock (_gate)
            {
                running = [.. _dirs.Values.Select(p => p.Running).OfType<Task>()];
            }

            if (running.Length == 0)
            {
                return;
            }

            await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Drain(string directory, Pending p)
    {
        while (true)
        {
            SafeFileHandle[] files, releases;
            lock (_gate)
            {
                if (!p.Dirty)
                {
                    p.Running = null;
                    return;
                }

                p.Dirty = false;
                files = [.. p.Files];
                p.Files.Clear();
                releases = [.. p.Releases];
                p.Releases.Clear();
            }

            // The files first: on file systems that do not commit a file's size and blocks with its directory,
            // the directory fsync alone would not make the new content durable.
            foreach (var file in files)
            {
                using (file)
                {
                    try
                    {
                        NativeMethods.Sync(file, directory, dataOnly: false);
                        Interlocked.Increment(ref _filesSynced);
                    }
                    catch (IOException)
                    {
                        // Already renamed and readable; the fsync only decided survival across a crash, and the
                        // directory's fsync below still runs. Nothing to undo.
                    }
                }
            }

            NativeMethods.FsyncDirectory(directory);
            foreach (var handle in releases)
            {
                handle.Dispose();
            }
        }
    }

    private sealed class Pending
    {
        public List<SafeFileHandle> Files { get; } = [];

        public List<SafeFileHandle> Releases { get; } = [];

        public bool Dirty { get; set; }

        public Task? Running { get; set; }
    }
}
