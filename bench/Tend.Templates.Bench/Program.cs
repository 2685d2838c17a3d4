using System.Diagnostics;
using BenchmarkDotNet.Running;
using Tend.Templates;
using Tend.Templates.Bench;

// --write-inputs DIR : write the benchmark inputs for the Go side.
// --quick            : a plain stopwatch loop (sanity check without BenchmarkDotNet).
if (args.Length >= 2 && args[0] == "--write-inputs")
{
    BenchInputs.WriteAll(args[1]);
    Console.WriteLine($"inputs written to {args[1]}");
    return;
}
if (args.Length >= 3 && args[0] == "--render")
{
    var t = GoTemplate.Parse(args[1], File.ReadAllText(args[1]));
    var stdout = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false));
    t.Render(stdout, TemplateData.FromJson(File.ReadAllText(args[2])));
    stdout.Flush();
    return;
}
if (args.Length >= 1 && args[0] == "--quick")
{
    var b = new TemplateBenchmarks();
    b.Setup();
    foreach (var (name, run, n) in new (string, Func<object>, int)[]
    {
        ("nagios", () => b.NagiosHosts10k(), 100),
        ("nested", () => b.NestedRangeIfPrintf1k(), 2000),
        ("nagios-limits", () => b.NagiosHosts10kWithinLimits(), 100),
        ("nested-limits", () => b.NestedRangeIfPrintf1kWithinLimits(), 2000),
        ("parse", () => b.Parse500Lines(), 2000),
    })
    {
        for (int i = 0; i < n / 10; i++)
        {
            run();
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < n; i++)
        {
            run();
        }
        sw.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        long alloc = (GC.GetAllocatedBytesForCurrentThread() - before) / n;
        // CPU time besides wall time: on a shared, loaded machine it moves far less with the load.
        Console.WriteLine($"{name}: {sw.Elapsed.TotalNanoseconds / n:F0} ns/op {cpu.TotalNanoseconds / n:F0} cpu-ns/op {alloc} B allocated/op");
    }
    Console.WriteLine($"nagios output chars: {b.NagiosHosts10k()}  nested output chars: {b.NestedRangeIfPrintf1k()}");
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(TemplateBenchmarks).Assembly).Run(args);
