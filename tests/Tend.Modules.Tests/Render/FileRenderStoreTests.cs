using System.Text.Json;
using Tend.Core.Kv;
using Tend.Stores.Files;

namespace Tend.Modules.Tests.Render;

/// <summary>The render modes and options on the file store: each write rewrites data.json (temp + rename) as an editor would; the outage is the file vanishing.</summary>
public sealed class FileRenderStoreTests : RenderStoreTests
{
    private readonly SortedDictionary<string, string> _data = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _saving = new(1);

    private string DataFile => Path.Combine(Dir, "data.json");

    protected override Task<IKvStore> CreateStoreAsync()
    {
        File.WriteAllText(DataFile, "{}");
        return Task.FromResult<IKvStore>(new FileKvStore(new KvStoreOptions { Kind = "file", Files = [DataFile] }));
    }

    protected override Task WriteAsync(string key, string? value) => WriteAllAsync([(key, value)]);

    protected override Task WriteTogetherAsync(IReadOnlyList<(string Key, string Value)> pairs) =>
        WriteAllAsync([.. pairs.Select(p => (p.Key, (string?)p.Value))]);

    private async Task WriteAllAsync(IReadOnlyList<(string Key, string? Value)> pairs)
    {
        lock (_data)
        {
            foreach (var (key, value) in pairs)
            {
                if (value is null)
                {
                    _data.Remove(key);
                }
                else
                {
                    _data[key] = value;
                }
            }
        }

        await SaveAsync();

        // The store sees a rewrite a moment later (inotify); a onetime render right after a write
        // must read it, as it would read a fresh store.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(await Store.ListAsync(KeyPath.Root)).Select(p => (p.Key, p.Value)).SequenceEqual(_data.Select(p => (p.Key, p.Value))))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The file store did not pick up the rewritten file.");
            }

            await Task.Delay(10);
        }
    }

    protected override Task StopStoreAsync()
    {
        File.Delete(DataFile);
        return Task.CompletedTask;
    }

    protected override Task StartStoreAsync() => SaveAsync();

    private async Task SaveAsync()
    {
        // A test's writes and a background "restart" may save at once; one temp file at a time.
        await _saving.WaitAsync();
        try
        {
            var tmp = DataFile + ".tmp";
            string json;
            lock (_data)
            {
                json = JsonSerializer.Serialize(_data);
            }

            await File.WriteAllTextAsync(tmp, json);
            File.Move(tmp, DataFile, overwrite: true);
        }
        finally
        {
            _saving.Release();
        }
    }
}
