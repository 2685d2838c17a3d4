using Microsoft.Win32.SafeHandles;

namespace Tend.Core.Files;

/// <summary>A fully written file (flushed as its <see cref="FileDurability"/> says) beside its destination, waiting to be checked and committed.</summary>
public sealed class StagedFile : IDisposable
{
    private bool _done;

    // Ordered: a handle on the staged file, fsynced after the rename (here or by the flusher, which then owns it).
    private SafeFileHandle? _pendingSync;

    // Full, staged to be flushed later: the handle its fsync goes through, and that fsync once started in the background.
    private SafeFileHandle? _unflushed;
    private Task? _flushing;

    internal StagedFile(string path, string destination, FileDurability durability, SafeFileHandle? pendingSync = null, SafeFileHandle? unflushed = null)
    {
        Path = path;
        Destination = destination;
        Durability = durability;
        _pendingSync = pendingSync;
        _unflushed = unflushed;
    }

    /// <summary>
    /// Starts the fsync left for later (<see cref="AtomicFile.Stage"/>
    /// with <c>flushLater</c>) on the thread pool; completes when it is done, faulted when it failed. Already done, or
    /// nothing to flush: a completed task.
    /// </summary>
    public Task FlushInBackground()
    {
        if (_unflushed is not { } handle)
        {
            return Task.CompletedTask;
        }

        return _flushing ??= Task.Run(() => NativeMethods.Sync(handle, Path, dataOnly: false));
    }

    /// <summary>Before anything exposes the staged file: its fsync done (waited for, or made here), or the failure thrown.</summary>
    private void EnsureFlushed()
    {
        if (_unflushed is not { } handle)
        {
            return;
        }

        if (_flushing is { } flushing)
        {
            flushing.GetAwaiter().GetResult();
        }
        else
        {
            NativeMethods.Sync(handle, Path, dataOnly: false);
        }

        handle.Dispose();
        _unflushed = null;
        _flushing = null;
    }

    /// <summary>True unless staged with <see cref="FileDurability.None"/>: the file and its directory are fsynced (before or after the rename).</summary>
    public bool Durable => Durability != FileDurability.None;

    /// <summary>How the file is flushed: <see cref="FileDurability.Ordered"/> means its data is on the device and its fsync is left for after the rename.</summary>
    public FileDurability Durability { get; private set; }

    /// <summary>
    /// Set when <see cref="FileDurability.Ordered"/> was asked for and the file was flushed as <see cref="FileDurability.Full"/>
    /// because the file system does not keep ordered's promise: which device, and why. Null otherwise.
    /// </summary>
    public DurabilityFallback? Fallback { get; init; }

    /// <summary>True when the destination was a regular file when this was staged (what a commit replaces).</summary>
    public bool ReplacesFile { get; init; }

    /// <summary>The staged file (what <c>check_cmd</c>'s <c>{{.src}}</c> names).</summary>
    public string Path { get; }

    /// <summary>Where <see cref="Commit"/> puts it.</summary>
    public string Destination { get; }

    /// <summary>
    /// Renames the staged file over the destination (atomic on one file system) and, when <see cref="Durable"/>,
    /// fsyncs the directory — and with <see cref="FileDurability.Ordered"/> the file first, now that it is in place.
    /// </summary>
    /// <param name="backupPath">When set, the previous destination is first kept here (one backup; see <see cref="FileBackup"/>).</param>
    /// <param name="flusher">When set, the fsyncs after the rename are left to it instead of done before returning.</param>
    /// <param name="replaced">
    /// When set, handed what the destination held: after the rename, a read handle on the file it replaced, or null when
    /// that was no regular file this process can read (or there was none: see <see cref="ReplacesFile"/>).
    /// </param>
    /// <remarks>
    /// The file being replaced is held open across the rename, so the rename only moves names: freeing the old
    /// file's blocks — with a synchronous discard on a file system mounted with <c>discard</c>, a third of a
    /// millisecond on a virtual disk — happens when the handle is closed, after the new file is in place (by the
    /// flusher, when there is one).
    /// </remarks>
    public void Commit(string? backupPath = null, DirectoryFlusher? flusher = null, Action<SafeFileHandle?>? replaced = null)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        EnsureFlushed();
        if (backupPath is not null)
        {
            FileBackup.Create(Destination, backupPath, Durable);
        }

        var held = NativeMethods.OpenEntry(Destination, regularFile: ReplacesFile, out bool readable);
        try
        {
            File.Move(Path, Destination, overwrite: true);
            FileFlushTrace.Note(FileFlushStep.Rename, Destination);
        }
        catch
        {
            held?.Dispose();
            throw;
        }

        _done = true;
        var directory = System.IO.Path.GetDirectoryName(Destination)!;
        var file = _pendingSync;
        _pendingSync = null;
        try
        {
            replaced?.Invoke(readable ? held : null);
        }
        finally
        {
            if (!Durable)
            {
                Release(held, flusher);
            }
            else if (flusher is null)
            {
                using (held)
                {
                    if (file is not null)
                    {
                        using (file)
                        {
                            NativeMethods.Sync(file, Destination, dataOnly: false);
                        }
                    }

                    NativeMethods.FsyncDirectory(directory);
                }
            }
            else
            {
                flusher.Schedule(directory, file, held);
            }
        }
    }

    private static void Release(SafeFileHandle? held, DirectoryFlusher? flusher)
    {
        if (held is null)
        {
            return;
        }

        if (flusher is null)
        {
            held.Dispose();
        }
        else
        {
            flusher.Release(held);
        }
    }

    /// <summary>
    /// Renames the staged file over the destination like <see cref="Commit"/>, first keeping a copy of
    /// the file it replaces (exactly: content, owner, mode; a link as a link) beside it, so the returned
    /// <see cref="InstalledFile"/> can put it back. For checks that can only look at the destination.
    /// </summary>
    /// <exception cref="IOException">The previous file could not be kept; nothing was replaced.</exception>
    public InstalledFile Install(DirectoryFlusher? flusher = null)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        EnsureFlushed();
        if (_pendingSync is { } file)
        {
            // A check that reads the destination may reload a service from it, and a failed one puts the old
            // file back: both renames are covered by the full fsync here, as with FileDurability.Full.
            _pendingSync = null;
            using (file)
            {
                NativeMethods.Sync(file, Path, dataOnly: false);
            }

            Durability = FileDurability.Full;
        }

        string? previous = null;
        if (NativeMethods.Stat(Destination, followLinks: false) is not null)
        {
            previous = AtomicFile.StagePath(Destination);
            FileBackup.Create(Destination, previous, Durable);
            if (NativeMethods.Stat(previous, followLinks: false) is null)
            {
                throw new IOException($"{Destination}: cannot keep the current file to restore it if the check fails (it is neither a regular file nor a link)");
            }
        }

        try
        {
            File.Move(Path, Destination, overwrite: true);
            FileFlushTrace.Note(FileFlushStep.Rename, Destination);
        }
        catch
        {
            if (previous is not null)
            {
                AtomicFile.TryDelete(previous);
            }

            throw;
        }

        _done = true;
        return new InstalledFile(Destination, previous, Durable ? flusher : null, Durable);
    }

    /// <summary>Keeps the staged file where it is (confd's keep-stage-file) instead of deleting it on dispose.</summary>
    public void Keep() => _done = true;

    /// <summary>Deletes the staged file unless it was committed or kept.</summary>
    public void Dispose()
    {
        _pendingSync?.Dispose();
        _pendingSync = null;
        if (_unflushed is { } handle)
        {
            // A background fsync still running owns the handle until it ends; its outcome no longer matters.
            try
            {
                _flushing?.Wait();
            }
            catch (AggregateException)
            {
            }

            handle.Dispose();
            _unflushed = null;
        }

        if (!_done)
        {
            _done = true;
            AtomicFile.TryDelete(Path);
        }
    }
}
