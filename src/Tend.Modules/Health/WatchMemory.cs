using System.Text.Json;
using Tend.Core.Files;

namespace Tend.Modules.Health;

/// <summary>
/// What <c>tend watch STATE</c> saw last time: a Consul watch hands its handler the whole list of checks in
/// the state whenever that list changes, so a check that stays critical comes again each time another one
/// changes. Remembering the check ids of the last call (one small JSON file per state) lets a trigger run
/// only when its check has just entered the state; a check that leaves and comes back fires again. With
/// no usable directory every call fires for every check in the state (powerconsul's behaviour).
/// </summary>
public sealed class WatchMemory(string? directory)
{
    /// <summary>Where the memory is kept: <paramref name="configured"/>, else <c>/var/lib/tend/watch</c> for root, else the user's data directory.</summary>
    public static string? DirectoryFor(string? configured)
    {
        if (configured is not null)
        {
            return configured;
        }

        if (Environment.IsPrivilegedProcess)
        {
            return "/var/lib/tend/watch";
        }

        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return data.Length == 0 ? null : Path.Combine(data, "tend", "watch");
    }

    /// <summary>
    /// The checks of <paramref name="current"/> that were not in <paramref name="state"/> at the last call, and
    /// remembers <paramref name="current"/>. <c>Problem</c> says why nothing could be remembered (then every check counts as new).
    /// </summary>
    public (IReadOnlyList<WatchedCheck> New, string? Problem) Update(string state, IReadOnlyList<WatchedCheck> current)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (directory is null)
        {
            return (current, "no directory to remember fired checks in (set [health] watch_state_dir)");
        }

        var path = Path.Combine(directory, state + ".json");
        HashSet<string> before;
        try
        {
            before = Read(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            before = [];
        }

        var fresh = current.Where(c => !before.Contains(c.CheckId)).ToList();
        try
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartArray();
                foreach (var c in current)
                {
                    json.WriteStringValue(c.CheckId);
                }

                json.WriteEndArray();
            }

            AtomicFile.Write(path, buffer.ToArray(), createDirectories: true);
            return (fresh, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (current, $"cannot remember fired checks in {path}: {ex.Message}");
        }
    }

    private static HashSet<string> Read(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.ValueKind == JsonValueKind.Array
            ? doc.RootElement.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal)
            : [];
    }
}
