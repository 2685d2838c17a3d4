using System.Text.Json;
using Tend.Core.Kv;
using Tend.Stores.Files;
using Tend.Testing;

namespace Tend.Stores.Tests.Files;

/// <summary>The shared contract on the file store: writes are made by rewriting the data file (temp + rename), as an editor would.</summary>
public sealed class FileKvStoreContractTests : KvStoreContractTests, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-filestore-").FullName;
    private readonly SortedDictionary<string, string> _data = new(StringComparer.Ordinal);
    private FileKvStore? _files;

    private string DataFile => Path.Combine(_dir, "data.json");

    protected override Task<IKvStore> CreateStoreAsync()
    {
        File.WriteAllText(DataFile, "{}");
        _files = new FileKvStore(new KvStoreOptions { Kind = "file", Files = [DataFile] });
        return Task.FromResult<IKvStore>(_files);
    }

    protected override async Task<long> WriteAsync(params (string Key, string? Value)[] writes)
    {
        foreach (var (k, v) in writes)
        {
            if (v is null)
            {
                _data.Remove(k);
            }
            else
            {
                _data[k] = v;
            }
        }

        var tmp = DataFile + ".tmp";
        await File.WriteAllTextAsync(tmp, JsonSerializer.Serialize(_data));
        File.Move(tmp, DataFile, overwrite: true);

        // Wait until the store has seen this content, so each write is its own revision.
        var deadline = DateTime.UtcNow + EventTimeout;
        while (true)
        {
            var now = await Store.ListAsync(KeyPath.Root);
            if (now.Select(p => (p.Key, p.Value)).SequenceEqual(_data.Select(p => (p.Key, p.Value))))
            {
                return now.Revision;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The file store did not pick up the rewritten file.");
            }

            await Task.Delay(5);
        }
    }

    protected override Task ForceResyncAsync()
    {
        _files!.DropHistory();
        return Task.CompletedTask;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
