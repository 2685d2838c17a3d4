using Tend.Modules.Membership;
using Xunit;

namespace Tend.Modules.Tests.Membership;

/// <summary>The module as <c>tend run</c> drives it: passes every interval, settings swapped by a reload, status.</summary>
public sealed class MembershipModuleTests
{
    [Fact]
    public async Task ApplyAsync_Running_PassesEveryIntervalAndStatusFollowsTheCluster()
    {
        await using var group = new AwsGroupHarness(settle: TimeSpan.Zero);
        var address = LoopbackAddresses.Next();
        var machine = group.AddMachine("solo", address, o => o with { Inventory = MembershipInventoryKind.Static, Members = [new StaticMember("solo", address)], Name = "solo" });
        await using var module = new MembershipModule(group.Log);

        await module.ApplyAsync(machine.Options);
        await AwsGroupHarness.EventuallyAsync(() => Task.FromResult(File.Exists(machine.EnvironmentFile)), TimeSpan.FromSeconds(20), "the first pass writes the file");
        Assert.Equal("new", machine.Environment["ETCD_INITIAL_CLUSTER_STATE"]);

        machine.StartEtcd();
        await machine.Etcd!.WaitHealthyAsync(TimeSpan.FromSeconds(30));
        await AwsGroupHarness.EventuallyAsync(
            () => Task.FromResult(module.Status is { State: "existing", Members: 1, Healthy: 1, SelfMembership: SelfMembership.Voter }),
            TimeSpan.FromSeconds(20),
            "a later pass sees the running member");
        var status = module.Status!;
        Assert.Equal("existing", machine.Environment["ETCD_INITIAL_CLUSTER_STATE"]);
        Assert.True(status.Passes >= 2);
        Assert.Equal(2, status.EnvironmentWrites);
        Assert.Equal("solo", status.Self);
        Assert.Null(status.LastError);
        Assert.Contains("static", status.Inventory, StringComparison.Ordinal);

        // A reload with other settings takes effect at once; unchanged settings change nothing.
        await module.ApplyAsync(machine.Options with { FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
        await AwsGroupHarness.EventuallyAsync(
            () => Task.FromResult(File.GetUnixFileMode(machine.EnvironmentFile) == (UnixFileMode.UserRead | UnixFileMode.UserWrite)),
            TimeSpan.FromSeconds(20),
            "the new mode is applied");
        var before = module.Status!.Passes;
        await module.ApplyAsync(machine.Options with { FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite, Members = [new StaticMember("solo", address)] });
        Assert.True(module.Status!.Passes >= before);
    }

    [Fact]
    public async Task RunPassAsync_EnvironmentDirectoryNotWritable_FailureReportedFileUntouched()
    {
        await using var group = new AwsGroupHarness(settle: TimeSpan.Zero);
        var address = LoopbackAddresses.Next();
        var machine = group.AddMachine("ro", address, o => o with { Inventory = MembershipInventoryKind.Static, Members = [new StaticMember("ro", address)], Name = "ro" });

        // A path below a regular file can never be created, whoever runs the test.
        var blocker = Path.Combine(group.Dir, "blocker");
        await File.WriteAllTextAsync(blocker, "a file, not a directory");
        machine.Options = machine.Options with { EnvironmentFile = Path.Combine(blocker, "etcd.env") };

        var result = await machine.PassAsync();

        Assert.Equal(MembershipOutcome.Failed, result.Outcome);
        Assert.Contains("cannot write", result.Error, StringComparison.Ordinal);
        Assert.Equal("a file, not a directory", await File.ReadAllTextAsync(blocker));
    }
}
