namespace Tend.Core.Files;

/// <summary>A fully written file (fsynced unless staged without durability) beside its destination, waiting to be checked and committed.</summary>
public sealed class StagedFile : IDisposable
{
    private bool _done;

    internal StagedFile(string path, string destination, bool durable = true)
    {
        Path = path;
        Destination = destination;
        Durable = durable;
    }

    /// <summary>True when the file was fsynced and <see cref="Commit"/> fsyncs the directory after the rename.</summary>
    public bool Durable { get; }

    /// <summary>The staged file (what <c>check_cmd</c>'s <c>{{.src}}</c> names).</summary>
    public string Path { get; }

    /// <summary>Where <see cref="Commit"/> puts it.</summary>
    public string Destination { get; }

    /// <summary>Renames the staged file over the destination (atomic on one file system) and, when <see cref="Durable"/>, fsyncs the directory.</summary>
    /// <param name="backupPath">When set, the previous destination is first kept here (one backup; see <see cref="FileBackup"/>).</param>
    /// <param name="flusher">When set, the directory fsync is left to it instead of done before returning.</param>
    public void Commit(string? backupPath = null, DirectoryFlusher? flusher = null)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        if (backupPath is not null)
        {
            FileBackup.Create(Destination, backupPath);
        }

        File.Move(Path, Destination, overwrite: true);
        _done = true;
        var directory = System.IO.Path.GetDirectoryName(Destination)!;
        if (!Durable)
        {
            return;
        }

        if (flusher is null)
        {
            NativeMethods.FsyncDirectory(directory);
        }
        else
        {
            flusher.Schedule(directory);
        }
    }

    /// <summary>Keeps the staged file where it is (confd's keep-stage-file) instead of deleting it on dispose.</summary>
    public void Keep() => _done = true;

    /// <summary>Deletes the staged file unless it was committed or kept.</summary>
    public void Dispose()
    {
        if (!_done)
        {
            _done = true;
            AtomicFile.TryDelete(Path);
        }
    }
}
