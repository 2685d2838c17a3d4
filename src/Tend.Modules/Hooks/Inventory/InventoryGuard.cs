using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tend.Modules.Hooks.Inventory;

/// <summary>
/// What the inventory's root key holds (<c>/site</c> for hosts under <c>/site</c>): every Tend write of
/// the inventory compares the key's revision and rewrites it in the same transaction, so two writers
/// never interleave; while a replace larger than one transaction is applied it says so, with the
/// journal that lets anyone finish it, and readers wait for it to become idle again.
/// </summary>
public sealed record InventoryGuard
{
    /// <summary>The value of <see cref="Kind"/>: how a guard is told from a value someone else stored at the root key.</summary>
    public const string GuardKind = "tend-inventory-guard";

    /// <summary>Always <see cref="GuardKind"/>.</summary>
    public string Kind { get; init; } = GuardKind;

    /// <summary><c>idle</c>, or <c>applying</c> while a replace's transactions are committed one by one.</summary>
    public string State { get; init; } = "idle";

    /// <summary>What wrote the inventory last: <c>putall</c>, <c>hosts add</c>, <c>hosts remove</c>.</summary>
    public string? Writer { get; init; }

    /// <summary>When the guard was last written (the writer's clock).</summary>
    public DateTimeOffset Updated { get; init; }

    /// <summary>While applying: the journal's id (its parts live under <see cref="HostInventory.JournalRoot"/>/id).</summary>
    public string? Id { get; init; }

    /// <summary>While applying: how many journal parts hold the operations.</summary>
    public int Parts { get; init; }

    /// <summary>While applying: how many operations the replace has.</summary>
    public int Operations { get; init; }

    /// <summary>While applying: how many of them are committed (always a prefix of the journal's order).</summary>
    public int Applied { get; init; }

    /// <summary>While applying: when the replace began.</summary>
    public DateTimeOffset? Started { get; init; }

    /// <summary>A remark for operators, e.g. that a replace was abandoned because its journal was unreadable.</summary>
    public string? Note { get; init; }

    /// <summary>True while a replace is being applied: the hosts under the root are part old, part new.</summary>
    [JsonIgnore]
    public bool Applying => State == "applying";

    /// <summary>Reads a guard; false when <paramref name="value"/> is not one (someone else's value, or empty).</summary>
    public static bool TryParse(string value, out InventoryGuard guard)
    {
        ArgumentNullException.ThrowIfNull(value);
        guard = null!;
        if (value.Length == 0 || value[0] != '{')
        {
            return false;
        }

        try
        {
            var parsed = JsonSerializer.Deserialize(value, InventoryJsonContext.Default.InventoryGuard);
            if (parsed is null || parsed.Kind != GuardKind || parsed.State is not ("idle" or "applying"))
            {
                return false;
            }

            guard = parsed;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The value to store.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, InventoryJsonContext.Default.InventoryGuard);
}
