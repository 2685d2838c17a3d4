using System.Text.Json.Serialization;

namespace Tend.Modules.Hooks.Inventory;

/// <summary>Source-generated JSON for the inventory guard (no reflection, AOT-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(InventoryGuard))]
internal sealed partial class InventoryJsonContext : JsonSerializerContext;
