using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;
using Tend.Hosting;
using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Inventory;

namespace Tend.Daemon;

/// <summary>
/// The etcdhooks HTTP API: <c>GET /getall</c> (every host and its state, sorted by host; the
/// original's list form with <c>?format=list</c>) and <c>PUT /putall</c> (replace the whole host
/// subtree in one transaction; everything is validated first, and a bad request writes nothing).
/// </summary>
internal static class HostsEndpoints
{
    /// <summary>The largest <c>/putall</c> body accepted.</summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    // Immutable records swapped whole: readers on other threads see an old or a new one, never half.
    private static readonly CachedBody?[] GetallBodies = new CachedBody?[2];

    // The last body of an inventory that no replace was being applied to, served while one is.
    private static readonly CachedBody?[] CompleteBodies = new CachedBody?[2];
    private static CachedInventory? _inventory;

    public static void Map(IEndpointRouteBuilder app, TendDaemon daemon)
    {
        app.MapGet("/getall", async (HttpContext http) =>
        {
            var runtime = daemon.Runtime;
            if (runtime is null)
            {
                return Error(StatusCodes.Status503ServiceUnavailable, "not running");
            }

            var inventory = Inventory(runtime);
            var mirror = runtime.Module<InventoryMirrorHost>().Mirror(inventory.Root);
            KvSnapshot snapshot;
            try
            {
                snapshot = mirror is { IsSynced: true }
                    ? await CurrentAsync(mirror, http).ConfigureAwait(false)
                    : await runtime.Store.ListAsync(inventory.Root, http.RequestAborted).ConfigureAwait(false);
            }
            catch (KvStoreException ex)
            {
                return Error(StatusCodes.Status503ServiceUnavailable, ex.Message);
            }

            var list = string.Equals(http.Request.Query["format"], "list", StringComparison.Ordinal);
            if (inventory.GuardIn(snapshot) is { Applying: true } guard)
            {
                // A replace is being applied (the hosts are part old, part new): the last complete
                // inventory is the truthful answer until it completes.
                var progress = $"a replace of the hosts is being applied ({guard.Applied} of {guard.Operations} operations)";
                http.Response.Headers["X-Tend-Inventory"] = progress;
                if (CompleteBodies[list ? 1 : 0] is { } complete && ReferenceEquals(complete.Inventory, inventory))
                {
                    return Results.Bytes(complete.Body, "application/json");
                }

                http.Response.Headers.RetryAfter = "1";
                return Error(StatusCodes.Status503ServiceUnavailable, progress + "; retry shortly");
            }

            var body = GetallBody(inventory, snapshot, list);
            CompleteBodies[list ? 1 : 0] = GetallBodies[list ? 1 : 0];
            return Results.Bytes(body, "application/json");
        });

        // One lambda for both verbs: the Request Delegate Generator compiles lambdas (not locals) ahead of time.
        app.MapMethods("/putall", [HttpMethods.Put, HttpMethods.Post], async (HttpContext http) =>
        {
            var runtime = daemon.Runtime;
            if (runtime is null)
            {
                return Error(StatusCodes.Status503ServiceUnavailable, "not running");
            }

            var denied = Authorize(http, runtime.Config.Http.Token);
            if (denied is not null)
            {
                return denied;
            }

            if (http.Request.ContentLength > MaxBodyBytes)
            {
                return Error(StatusCodes.Status400BadRequest, $"body larger than {MaxBodyBytes} bytes");
            }

            var aborted = http.RequestAborted;
            try
            {
                var body = await ReadLimitedAsync(http.Request.Body, MaxBodyBytes, aborted).ConfigureAwait(false);
                var inventory = Inventory(runtime);
                var wanted = inventory.ToKeys(ParseHosts(body), aborted);

                // The client's disconnect cancels the read and the planning; once a replace larger than one
                // transaction is decided, the writer finishes it regardless.
                var writer = new HostInventoryWriter(inventory, runtime.Store, http.RequestServices.GetService<ILoggerFactory>()?.CreateLogger<HostInventoryWriter>());
                var result = await writer.ReplaceAsync(wanted, aborted).ConfigureAwait(false);
                return Results.Json(
                    new PutAllResult(wanted.Count, result.Puts, result.Deletes, result.Transactions, result.Revision),
                    HostsJsonContext.Default.PutAllResult);
            }
            catch (InvalidDataException ex)
            {
                return Error(StatusCodes.Status400BadRequest, ex.Message);
            }
            catch (JsonException ex)
            {
                return Error(StatusCodes.Status400BadRequest, $"malformed JSON: {ex.Message}");
            }
            catch (ArgumentException ex)
            {
                return Error(StatusCodes.Status400BadRequest, ex.Message);
            }
            catch (InventoryWriteException ex)
            {
                return Error(StatusCodes.Status409Conflict, ex.Message);
            }
            catch (KvNotSupportedException ex)
            {
                return Error(StatusCodes.Status409Conflict, ex.Message);
            }
            catch (KvStoreException ex)
            {
                return Error(StatusCodes.Status503ServiceUnavailable, ex.Message);
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The client went away before anything was decided: nothing was written, nobody to answer.
                return Results.Empty;
            }
        });
    }

    /// <summary>
    /// The mirror's snapshot, brought up to the store's current revision first, so a client that has just
    /// written (<c>tend hosts add</c>, a <c>/putall</c> to another daemon) reads its write. When the store does
    /// not answer within <see cref="RefreshTimeout"/>, the last known hosts are served and a header says as of
    /// which revision: the API stays useful during a store outage.
    /// </summary>
    private static async Task<KvSnapshot> CurrentAsync(Tend.Core.Mirror.KvMirror mirror, HttpContext http)
    {
        try
        {
            await mirror.RefreshAsync(http.RequestAborted).WaitAsync(RefreshTimeout, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (!http.RequestAborted.IsCancellationRequested)
        {
            // Whatever kept the store from confirming (unreachable, slow, a failure of its client), the hosts
            // the mirror holds are still the best answer; the header says they may be behind.
            var stale = mirror.Current;
            http.Response.Headers["X-Tend-Stale"] = HeaderText($"the store did not confirm the hosts are current ({(ex is TimeoutException ? "no answer within " + RefreshTimeout.TotalSeconds + " s" : ex.Message)}); as of revision {stale.Revision}");
            return stale;
        }

        return mirror.Current;
    }

    /// <summary>
    /// <paramref name="text"/> as a header value: Kestrel refuses control characters and anything beyond ASCII
    /// (a store's error message may carry a line break or a dash), and a refused header is a 500.
    /// </summary>
    internal static string HeaderText(string text) => string.Create(text.Length, text, static (span, source) =>
    {
        for (int i = 0; i < source.Length; i++)
        {
            char c = source[i];
            span[i] = c is >= ' ' and <= '~' ? c : c is '\u2013' or '\u2014' ? '-' : ' ';
        }
    });

    /// <summary>How long <c>/getall</c> waits for the store to confirm the hosts are current.</summary>
    internal static readonly TimeSpan RefreshTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The body must be one JSON object of host name → state string, names unique, in valid UTF-8.</summary>
    /// <exception cref="ArgumentException">The body is not that; the message says where and why.</exception>
    internal static List<KeyValuePair<string, string>> ParseHosts(byte[] body)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            throw new ArgumentException($"the body is not valid UTF-8 (byte {FirstInvalidUtf8(body)} starts an invalid sequence)");
        }

        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 4 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ArgumentException("the body must be a JSON object: {\"host\": \"state\", ...}");
        }

        var hosts = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = Text(ref reader, "a host name");
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new ArgumentException($"host \"{name}\": the state must be a string, not {reader.TokenType}");
            }

            if (!seen.Add(name))
            {
                throw new ArgumentException($"host \"{name}\" appears twice");
            }

            hosts.Add(new(name, Text(ref reader, $"host \"{name}\": the state")));
        }

        if (reader.Read())
        {
            throw new ArgumentException("unexpected data after the JSON object");
        }

        return hosts;
    }

    /// <summary>A JSON string as text; an escaped lone surrogate (<c>\\ud800</c>) is no text, and says so.</summary>
    private static string Text(ref Utf8JsonReader reader, string what)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new ArgumentException($"{what} at byte {reader.TokenStartIndex} is not valid Unicode (an escaped lone surrogate such as \\ud800)");
        }
    }

    private static long FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        long offset = 0;
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out _, out int consumed) != OperationStatus.Done)
            {
                return offset;
            }

            bytes = bytes[consumed..];
            offset += consumed;
        }

        return offset;
    }

    private static HostInventory Inventory(DaemonRuntime runtime)
    {
        var options = runtime.Config.Module<HooksOptions>("hooks")?.Inventory ?? new HostInventoryOptions();
        var cached = _inventory;
        if (cached is not null && cached.Options == options)
        {
            return cached.Inventory;
        }

        var inventory = new HostInventory(options);
        _inventory = new CachedInventory(options, inventory);
        return inventory;
    }

    /// <summary>
    /// The /getall body, rendered once per mirror snapshot and format: snapshots are immutable and
    /// swapped per change, so repeated requests between changes (monitoring polls, scripts) cost a
    /// copy, not a walk over every host.
    /// </summary>
    internal static ReadOnlyMemory<byte> GetallBody(HostInventory inventory, KvSnapshot snapshot, bool list)
    {
        var cached = GetallBodies[list ? 1 : 0];
        if (cached is not null && ReferenceEquals(cached.Snapshot, snapshot) && ReferenceEquals(cached.Inventory, inventory))
        {
            return cached.Body;
        }

        var (hosts, _) = inventory.Read(snapshot);
        var buffer = new ArrayBufferWriter<byte>(64 + (hosts.Count * 40));
        using (var json = new Utf8JsonWriter(buffer))
        {
            if (list)
            {
                json.WriteStartArray();
                foreach (var h in hosts)
                {
                    json.WriteStartObject();
                    json.WriteString("Name", h.Name);
                    json.WriteString("State", h.State);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }
            else
            {
                json.WriteStartObject();
                foreach (var h in hosts)
                {
                    json.WriteString(h.Name, h.State);
                }

                json.WriteEndObject();
            }
        }

        // Kept as written (no copy): the buffer is never written again.
        var body = buffer.WrittenMemory;
        GetallBodies[list ? 1 : 0] = new CachedBody(inventory, snapshot, body);
        return body;
    }

    private static IResult? Authorize(HttpContext http, string? token)
    {
        if (token is null)
        {
            return Error(StatusCodes.Status403Forbidden, "writes are disabled: set [http] token in tend.toml");
        }

        // The scheme is case-insensitive (RFC 9110 §11.1): "bearer", "BEARER" and "Bearer" are the same.
        var header = http.Request.Headers.Authorization.ToString().Trim();
        int space = header.IndexOfAny([' ', '\t']);
        if (space <= 0 || !header.AsSpan(0, space).Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Error(StatusCodes.Status401Unauthorized, "a bearer token is required");
        }

        var given = Encoding.UTF8.GetBytes(header[(space + 1)..].Trim());
        var expected = Encoding.UTF8.GetBytes(token);
        return CryptographicOperations.FixedTimeEquals(given, expected) ? null : Error(StatusCodes.Status403Forbidden, "wrong token");
    }

    private static async Task<byte[]> ReadLimitedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + n > limit)
            {
                throw new InvalidDataException($"body larger than {limit} bytes");
            }

            buffer.Write(chunk, 0, n);
        }

        return buffer.ToArray();
    }

    private static IResult Error(int status, string message) =>
        Results.Json(new ErrorResult(message), HostsJsonContext.Default.ErrorResult, statusCode: status);
}

internal sealed record PutAllResult(int Hosts, int Puts, int Deletes, int Transactions, long Revision);

internal sealed record CachedBody(HostInventory Inventory, KvSnapshot Snapshot, ReadOnlyMemory<byte> Body);

internal sealed record CachedInventory(HostInventoryOptions Options, HostInventory Inventory);

internal sealed record ErrorResult(string Error);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(PutAllResult))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ErrorResult))]
internal sealed partial class HostsJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
