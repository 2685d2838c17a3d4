using System.Text.Json.Serialization;
using Tend.Core.Kv;

namespace Tend.Daemon;

/// <summary>Source-generated JSON of the store settings, which <see cref="DaemonRuntime.SameStore"/> compares.</summary>
[JsonSerializable(typeof(KvStoreOptions))]
internal sealed partial class StoreOptionsJsonContext : JsonSerializerContext;
