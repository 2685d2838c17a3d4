using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Tend.Testing.Servers;
using Xunit;

namespace Tend.Cli.Tests;

/// <summary>
/// The status page at <c>GET /</c>, in a real headless Chromium (Debian's chromium and chromium-driver, driven by
/// Selenium; nothing is downloaded): it renders what the daemon is doing, follows a key change by itself, and
/// shows store data as text, never as markup.
/// </summary>
public sealed class StatusPageBrowserTests : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("tend-page-").FullName;
    private readonly int _port = FreePort.Next();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task StatusPage_KeyChanges_PageShowsTheNewRenderAndItsDiff()
    {
        Data("web1: {address: 10.0.0.11}\n");
        await using var tend = TendProcess.Start("run", "--config", Config());
        await WaitForHealthAsync(tend);
        using var browser = Browser();
        browser.Navigate().GoToUrl($"http://127.0.0.1:{_port}/");
        var wait = Wait(browser);

        // The page came up from its own script: the template, its mirror and the first change are on it.
        wait.Until(d => Text(d).Contains("hosts.conf", StringComparison.Ordinal));
        var page = Text(browser);
        Assert.Contains("/hosts", page, StringComparison.Ordinal);
        Assert.Contains("Templates", page, StringComparison.Ordinal);
        OpenDiff(wait);
        wait.Until(d => d.FindElement(By.CssSelector("details pre")).Text.Contains("+10.0.0.11 web1", StringComparison.Ordinal));

        // A key changes in the store: the page follows without a reload, and the diff it had open stays open.
        Data("web1: {address: 10.0.0.11}\nweb2: {address: 10.0.0.12}\n");
        wait.Until(d => d.FindElement(By.CssSelector("details pre")).Text.Contains("+10.0.0.12 web2", StringComparison.Ordinal));
        Assert.True(wait.Until(d => string.Equals(d.FindElement(By.CssSelector("details")).GetDomProperty("open"), "true", StringComparison.OrdinalIgnoreCase)), "the open diff was closed by the refresh");
        wait.Until(d => d.FindElement(By.CssSelector("details pre")).Text.Contains(" 10.0.0.11 web1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StatusPage_ValueLooksLikeMarkup_ShownAsText()
    {
        Data("web1: {address: \"<b id=injected>bold</b><img src=x onerror=document.title='pwned'>\"}\n");
        await using var tend = TendProcess.Start("run", "--config", Config());
        await WaitForHealthAsync(tend);
        using var browser = Browser();
        browser.Navigate().GoToUrl($"http://127.0.0.1:{_port}/");
        var wait = Wait(browser);

        wait.Until(d => Text(d).Contains("hosts.conf", StringComparison.Ordinal));
        OpenDiff(wait);
        wait.Until(d => d.FindElement(By.CssSelector("details pre")).Text.Contains("<b id=injected>bold</b>", StringComparison.Ordinal));
        Assert.Empty(browser.FindElements(By.Id("injected")));
        Assert.Empty(browser.FindElements(By.CssSelector("main img")));
        Assert.Equal("Tend status", browser.Title);
    }

    private static WebDriverWait Wait(IWebDriver browser)
    {
        // The page redraws itself when /status changes: an element found just before may be replaced.
        var wait = new WebDriverWait(browser, Bound);
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException), typeof(NoSuchElementException));
        return wait;
    }

    private static void OpenDiff(WebDriverWait wait) => wait.Until(d =>
    {
        var details = d.FindElement(By.CssSelector("details"));
        if (!string.Equals(details.GetDomProperty("open"), "true", StringComparison.OrdinalIgnoreCase))
        {
            details.FindElement(By.TagName("summary")).Click();
        }

        return string.Equals(d.FindElement(By.CssSelector("details")).GetDomProperty("open"), "true", StringComparison.OrdinalIgnoreCase);
    });

    private static string Text(IWebDriver driver) => driver.FindElement(By.TagName("body")).Text;

    private static ChromeDriver Browser()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: ./test.sh installs Debian's chromium and chromium-driver");
        Assert.True(File.Exists(ChromeDriver), $"{ChromeDriver} is missing: ./test.sh installs Debian's chromium-driver");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions");
        return new ChromeDriver(service, options, Bound);
    }

    private void Data(string hosts)
    {
        // Written beside and renamed, as an editor saves: the store never reads half a file.
        var path = Path.Combine(_dir, "data.yaml");
        File.WriteAllText(path + ".tmp", "hosts:\n" + string.Join('\n', hosts.TrimEnd().Split('\n').Select(l => "  " + l)) + "\n");
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private string Config()
    {
        File.WriteAllText(Path.Combine(_dir, "hosts.tmpl"), "{{- range $h := lsdir \"/hosts\" }}\n{{ getv (printf \"/hosts/%s/address\" $h) }} {{ $h }}\n{{- end }}\n");
        var path = Path.Combine(_dir, "tend.toml");
        File.WriteAllText(path, $"""
            [store]
            kind = "file"
            files = ["data.yaml"]

            [http]
            listen = "127.0.0.1:{_port}"

            [render]
            wait = "50ms:500ms"

            [[render.template]]
            src = "hosts.tmpl"
            dest = "out/hosts.conf"
            keys = ["/hosts"]
            create_dest_dirs = true
            mode = "0644"
            """);
        return path;
    }

    private async Task WaitForHealthAsync(TendProcess tend)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}") };
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, $"tend did not become healthy: {tend.StdErr}");
            await Task.Delay(100);
        }
    }
}
