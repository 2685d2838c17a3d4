using System.Diagnostics;

/// <summary>
/// A <c>tend run --config FILE</c> process of this build (the tend.dll beside the bench), its output
/// drained; disposing kills it with its children. The /getall and /putall benches share it.
/// </summary>
internal sealed class TendRunProcess : IAsyncDisposable
{
    private readonly Process _process;

    private TendRunProcess(Process process) => _process = process;

    public static TendRunProcess Start(string config)
    {
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tend.dll"));
        foreach (var a in new[] { "run", "--config", config })
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi)!;
        process.ErrorDataReceived += (_, _) => { };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return new TendRunProcess(process);
    }

    /// <summary>Waits (up to two minutes) until <c>GET /healthz</c> through <paramref name="http"/> succeeds.</summary>
    public static async Task WaitServingAsync(HttpClient http)
    {
        var deadline = Stopwatch.StartNew();
        while (!await HealthyAsync(http))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(120))
            {
                throw new TimeoutException("tend run did not serve /healthz");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static async Task<bool> HealthyAsync(HttpClient http)
    {
        try
        {
            using var r = await http.GetAsync("/healthz");
            return r.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
