using System.Diagnostics;

namespace Tend.Modules.Checks;

/// <summary>Healthy on an HTTP 2xx or 3xx answer (redirects are not followed) whose body contains the expected text, when one is set.</summary>
internal sealed class HttpHealthCheck(HttpClient http, Uri url, string? expect, TimeSpan timeout) : IHealthCheck
{
    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var sw = Stopwatch.StartNew();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseContentRead, cts.Token).ConfigureAwait(false);
            int code = (int)response.StatusCode;
            if (code is < 200 or >= 400)
            {
                return new CheckResult(false, $"HTTP {code}", sw.Elapsed);
            }

            if (expect is not null)
            {
                var body = await response.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false);
                if (!body.Contains(expect, StringComparison.Ordinal))
                {
                    return new CheckResult(false, $"HTTP {code}, body lacks \"{expect}\"", sw.Elapsed);
                }
            }

            return new CheckResult(true, $"HTTP {code}", sw.Elapsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new CheckResult(false, $"GET {url} timed out", sw.Elapsed);
        }
        catch (HttpRequestException ex)
        {
            return new CheckResult(false, $"GET {url}: {ex.Message}", sw.Elapsed);
        }
    }
}
