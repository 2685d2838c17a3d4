using System.Net;
using System.Text.Json;
using Tend.Core.Kv;
using Tend.Stores.Consul.Http;
using Tend.Stores.Consul.Wire;

namespace Tend.Stores.Consul;

/// <summary>Transactions: <see cref="CommitAsync"/> and the <c>/v1/txn</c> call every write goes through.</summary>
public sealed partial class ConsulKvStore
{
    private const int MaxGuardRetries = 8;

    /// <inheritdoc />
    public async Task<KvTransactionResult> CommitAsync(KvTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var needRead = ConsulTxnPlan.NeedingRead(transaction.Compares);
        for (int attempt = 1; ; attempt++)
        {
            // Compares Consul cannot check itself are evaluated on a read; the plan then guards what was read.
            var reads = new Dictionary<string, RawEntry?>(StringComparer.Ordinal);
            long readIndex = 0;
            foreach (var key in needRead.Select(c => KeyPath.Normalize(c.Key)).Distinct(StringComparer.Ordinal))
            {
                var entry = await ReadKeyAsync(key, cancellationToken).ConfigureAwait(false);
                reads[key] = entry;
                readIndex = Math.Max(readIndex, entry?.ModifyIndex ?? 0);
            }

            if (needRead.Any(c => !ConsulTxnPlan.Holds(c, reads[KeyPath.Normalize(c.Key)])))
            {
                return new KvTransactionResult(false, await CurrentIndexAsync(transaction, cancellationToken).ConfigureAwait(false));
            }

            var plan = ConsulTxnPlan.Create(transaction, reads);
            if (plan.Operations.Count == 0)
            {
                return new KvTransactionResult(true, await CurrentIndexAsync(transaction, cancellationToken).ConfigureAwait(false));
            }

            var (status, answer) = await TxnAsync(plan.Operations, $"a transaction of {transaction.Operations.Count} operations", cancellationToken).ConfigureAwait(false);
            if (status == HttpStatusCode.OK)
            {
                long index;
                if (plan.HasSet)
                {
                    index = answer.Results?.Max(r => (long?)r.Kv?.ModifyIndex) ?? 0;
                    OwnWrites.Record(ConsulTxnPlan.OwnWrites(transaction, index));
                }
                else
                {
                    // Deletes return nothing, so the index is read afterwards: an upper bound of the transaction's.
                    index = await CurrentIndexAsync(transaction, cancellationToken).ConfigureAwait(false);
                }

                return new KvTransactionResult(true, index);
            }

            var failed = (answer.Errors ?? []).Select(e => e.OpIndex).Where(i => i >= 0 && i < plan.Roles.Count).Select(i => plan.Roles[i]).ToList();
            if (failed.Contains(ConsulTxnPlan.Role.Write) || failed.Count == 0)
            {
                var what = string.Join("; ", (answer.Errors ?? []).Select(e => $"operation {e.OpIndex}: {e.What}"));
                throw new KvStoreException($"{Name}: the transaction was rolled back: {(what.Length > 0 ? what : "no reason given")}");
            }

            if (failed.Contains(ConsulTxnPlan.Role.Compare) || attempt >= MaxGuardRetries)
            {
                return new KvTransactionResult(false, Math.Max(readIndex, await CurrentIndexAsync(transaction, cancellationToken).ConfigureAwait(false)));
            }

            // Only guards failed: a key changed between the read and the transaction. Read again.
        }
    }

    /// <summary>
    /// Sends a transaction. Returns 200 (applied) and 409 (rolled back: a check failed, or a <c>get</c> of a missing
    /// key) with Consul's answer; an operation refused by the ACLs is a <see cref="KvAuthenticationException"/>,
    /// too many operations a <see cref="KvStoreException"/> that names Consul's limit.
    /// </summary>
    internal async Task<(HttpStatusCode Status, TxnAnswer Answer)> TxnAsync(IReadOnlyList<TxnOperation> operations, string what, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes([.. operations], ConsulJsonContext.Default.ListTxnOperation);
        var request = new ConsulRequest { Method = HttpMethod.Put, Path = "/v1/txn", Body = body, What = what, ReturnErrors = true };
        var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Status == HttpStatusCode.RequestEntityTooLarge)
        {
            throw new KvStoreException(
                $"{Name}: {what} needs {operations.Count} Consul operations, more than the server accepts in one transaction (\"{response.Text}\"; Consul up to 1.10 allows 64 operations, later versions 128, and 512 KiB in all; [store] max_txn_ops = {MaxTransactionOperations}); nothing was applied. Split it into smaller transactions, or set max_txn_ops to the server's limit.");
        }

        if (response.Status is not (HttpStatusCode.OK or HttpStatusCode.Conflict))
        {
            throw new KvStoreException($"{Name}: {what} was refused: HTTP {(int)response.Status} {response.Text}");
        }

        TxnAnswer answer;
        try
        {
            answer = JsonSerializer.Deserialize(response.Body, ConsulJsonContext.Default.TxnAnswer) ?? new TxnAnswer();
        }
        catch (JsonException ex)
        {
            throw new KvStoreException($"{Name}: the answer to {what} from {response.Endpoint} is not a transaction result: {ex.Message}", ex);
        }

        if (answer.Errors?.FirstOrDefault(e => IsAclError(e.What)) is { } denied)
        {
            throw Connection.Refused(request, response with { Body = System.Text.Encoding.UTF8.GetBytes(denied.What), Status = HttpStatusCode.Forbidden });
        }

        return (response.Status, answer);
    }

    private static bool IsAclError(string what) =>
        what.Contains("Permission denied", StringComparison.OrdinalIgnoreCase) || what.Contains("ACL not found", StringComparison.OrdinalIgnoreCase);

    /// <summary>The KV store's index now (a read of a key the transaction touched: Consul answers it with the table's index).</summary>
    private async Task<long> CurrentIndexAsync(KvTransaction transaction, CancellationToken cancellationToken)
    {
        var key = transaction.Operations.Select(o => o.Key).Concat(transaction.Compares.Select(c => c.Key)).FirstOrDefault() ?? KeyPath.Root;
        var response = await SendAsync(
            new ConsulRequest
            {
                Method = HttpMethod.Get,
                Path = ConsulKeys.UrlPath("/v1/kv/", ConsulKeys.ToConsul(KeyPath.Normalize(key))),
                Query = [new("keys", null)],
                Idempotent = true,
                IsRead = true,
                What = "reading the current index",
            },
            cancellationToken).ConfigureAwait(false);
        return Math.Max(1, response.Index);
    }
}
