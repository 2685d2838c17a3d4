namespace Tend.Core.Files;

/// <summary>
/// A staged file already renamed over its destination, with the replaced file kept aside so a check
/// of the installed file (reconfig's <c>checkcmd</c>, which names the target) can still undo it:
/// <see cref="RollBack"/> puts the previous file back exactly (bytes, mode, owner; a link stays a link)
/// or removes a destination that did not exist before; <see cref="Confirm"/> keeps the new file.
/// Disposed without either, it rolls back.
/// </summary>
public sealed class InstalledFile : IDisposable
{
    private readonly string? _previous;
    private readonly DirectoryFlusher? _flusher;
    private readonly bool _durable;
    private bool _done;

    internal InstalledFile(string destination, string? previous, DirectoryFlusher? flusher, bool durable = true)
    {
        Destination = destination;
        _previous = previous;
        _flusher = flusher;
        _durable = durable;
    }

    /// <summary>The destination, now holding the new content.</summary>
    public string Destination { get; }

    /// <summary>True when something was at the destination before the install.</summary>
    public bool ReplacedAFile => _previous is not null;

    /// <summary>Keeps the new file; the previous one becomes <paramref name="backupPath"/> when set (one backup, as <c>backup = true</c> keeps), else it is deleted.</summary>
    public void Confirm(string? backupPath = null)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        _done = true;
        if (_previous is null)
        {
            return;
        }

        if (backupPath is null)
        {
            AtomicFile.TryDelete(_previous);
            return;
        }

        // The kept copy was made like a backup (created exclusively, owner and mode first, fsynced when durable),
        // so renaming it over the backup path replaces whatever entry is there without following it.
        File.Move(_previous, Path.GetFullPath(backupPath), overwrite: true);
        Flush();
    }

    /// <summary>Puts the previous file back over the destination, or removes the destination when there was none.</summary>
    /// <exception cref="IOException">The destination could not be restored; the kept copy is left beside it.</exception>
    public void RollBack()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        _done = true;
        if (_previous is null)
        {
            File.Delete(Destination);
        }
        else
        {
            File.Move(_previous, Destination, overwrite: true);
        }

        Flush();
    }

    /// <summary>Rolls back unless <see cref="Confirm"/> or <see cref="RollBack"/> ran.</summary>
    public void Dispose()
    {
        if (!_done)
        {
            try
            {
                RollBack();
            }
            catch (IOException)
            {
                // Disposal must not throw; the kept copy stays beside the destination.
            }
            catch (UnauthorizedAccessException)
            {
                // As above.
            }
        }
    }

    private void Flush()
    {
        if (!_durable)
        {
            return;
        }

        var directory = Path.GetDirectoryName(Destination)!;
        if (_flusher is null)
        {
            NativeMethods.FsyncDirectory(directory);
        }
        else
        {
            _flusher.Schedule(directory);
        }
    }
}
