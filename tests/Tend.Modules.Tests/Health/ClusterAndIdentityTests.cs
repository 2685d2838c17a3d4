using Tend.Modules.Checks;
using Tend.Modules.Health;
using Xunit;

namespace Tend.Modules.Tests.Health;

public sealed class ClusterAndIdentityTests
{
    private const string Key = "/cluster/production/web";
    private static readonly HealthIdentity Node1 = new("production", "webserver", "node1", "hq");

    [Theory]
    [InlineData("""{"active_nodes": ["node1", "node2"], "standby_nodes": ["node3"]}""", ClusterRole.Primary)]
    [InlineData("""{"active_nodes": ["node2"], "standby_nodes": ["NODE1"]}""", ClusterRole.Secondary)]
    [InlineData("""{"active_datacenters": ["hq"], "standby_datacenters": ["dr"]}""", ClusterRole.Primary)]
    [InlineData("""{"active_datacenters": ["dr"], "standby_datacenters": ["hq"]}""", ClusterRole.Secondary)]
    [InlineData(null, ClusterRole.Standalone)]
    public void RoleOf_SeedForms_Role(string? json, ClusterRole role) => Assert.Equal(role, ClusterDefinition.RoleOf(Key, json, Node1));

    [Theory]
    [InlineData("{not json", "is not valid JSON")]
    [InlineData("""["node1"]""", "must be a JSON object")]
    [InlineData("""{"active_nodes": ["node1"], "standby_datacenters": ["dr"]}""", "both datacenter lists and node lists")]
    [InlineData("""{"primary": "node1"}""", "has neither")]
    [InlineData("""{"active_nodes": "node1"}""", "active_nodes must be a list of strings")]
    [InlineData("""{"active_nodes": ["node2"], "standby_nodes": ["node3"]}""", "node \"node1\" is neither in active_nodes nor in standby_nodes")]
    [InlineData("""{"active_nodes": ["node1"], "standby_nodes": ["node1"]}""", "both active and standby")]
    public void RoleOf_BadClusterData_UnknownNamingTheKey(string json, string reason)
    {
        var ex = Assert.Throws<HealthUnknownException>(() => ClusterDefinition.RoleOf(Key, json, Node1));
        Assert.StartsWith(Key, ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RoleOf_DatacenterFormWithoutDatacenter_UnknownSayingHowToSetIt()
    {
        var ex = Assert.Throws<HealthUnknownException>(() => ClusterDefinition.RoleOf(Key, """{"active_datacenters": ["hq"]}""", Node1 with { Datacenter = null }));
        Assert.Contains("[health] datacenter", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("production-webserver1", "production", "webserver")]
    [InlineData("production-webserver1.example.com", "production", "webserver")]
    [InlineData("staging-db-03", "staging", "db")]
    [InlineData("qa-api", "qa", "api")]
    public void Resolve_DefaultPattern_EnvironmentAndRoleFromHostName(string host, string env, string role)
    {
        var id = HealthIdentity.Resolve(new HealthOptions(), host);
        Assert.Equal((env, role, host.Split('.')[0]), (id.Environment, id.Role, id.Hostname));
    }

    [Fact]
    public void Resolve_SetValuesAndCustomPattern_SetValuesWin()
    {
        var options = new HealthOptions { Role = "frontend", HostnamePattern = @"^(?<datacenter>[a-z]+)\.(?<environment>[a-z]+)-(?<role>[a-z]+)$", Hostname = "hq.prod-web" };
        var id = HealthIdentity.Resolve(options, "ignored");
        Assert.Equal(new HealthIdentity("prod", "frontend", "hq.prod-web", "hq"), id);
    }

    [Fact]
    public void Keys_NoEnvironment_UnknownSayingHowToSetIt()
    {
        var id = HealthIdentity.Resolve(new HealthOptions(), "standalonehost");
        var ex = Assert.Throws<HealthUnknownException>(() => id.ClusterKey("web"));
        Assert.Contains("[health] environment", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_ShellCharactersInEnvironment_StayOneSegment()
    {
        var id = Node1 with { Environment = "prod;$(reboot)`id`" };
        Assert.Equal("/triggers/prod;$(reboot)`id`/web/secondary/critical", id.TriggerKey("web", ClusterRole.Secondary, "critical"));
        Assert.Throws<HealthUnknownException>(() => (Node1 with { Environment = "a/b" }).ClusterKey("web"));
    }

    [Theory]
    [InlineData(true, CheckState.Passing, CheckState.Warning)]
    [InlineData(true, CheckState.Critical, CheckState.Passing)]
    [InlineData(false, CheckState.Passing, CheckState.Passing)]
    [InlineData(false, CheckState.Warning, CheckState.Warning)]
    [InlineData(false, CheckState.Critical, CheckState.Critical)]
    [InlineData(null, CheckState.Passing, CheckState.Unknown)]
    public void ForSecondary_PrimaryHealthAndLocalState_FailoverRules(bool? primaryPasses, CheckState local, CheckState expected)
    {
        var result = HealthEvaluator.ForSecondary(new CheckResult(local, "local", TimeSpan.Zero), new PrimaryHealth(primaryPasses, "primary node2"));
        Assert.Equal(expected, result.State);
        Assert.StartsWith("secondary: ", result.Output, StringComparison.Ordinal);
    }
}
