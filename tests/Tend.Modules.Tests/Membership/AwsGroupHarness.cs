using Amazon.Runtime;
using Tend.Core.Kv;
using Tend.Modules.Membership;
using Tend.Modules.Membership.Inventories;
using Tend.Stores.Etcd;
using Tend.Testing.Aws;
using Tend.Testing.Servers;

namespace Tend.Modules.Tests.Membership;

/// <summary>
/// A simulated auto-scaling group on loopback: the EC2 API and each instance's metadata service are doubles, every
/// instance gets its own loopback address, its own Tend membership module and its own real etcd, started from the
/// environment file that module wrote (as systemd's <c>EnvironmentFile=</c> would).
/// </summary>
internal sealed class AwsGroupHarness : IAsyncDisposable
{
    public const string Group = "etcd-test";
    public const string Region = "eu-west-1";

    private readonly List<Machine> _machines = [];

    public AwsGroupHarness(TimeSpan? settle = null)
    {
        Settle = settle ?? TimeSpan.FromSeconds(1);
        Dir = Directory.CreateTempSubdirectory("tend-membership-").FullName;
    }

    public Ec2Double Ec2 { get; } = new();

    public CapturedLog Log { get; } = new();

    public string Dir { get; }

    public int ClientPort { get; } = FreePort.Next();

    public int PeerPort { get; } = FreePort.Next();

    public TimeSpan Settle { get; }

    public Machine this[string id] => _machines.Single(m => m.Id == id);

    public Machine Launch(string id, string? group = Group, string state = "running", bool proxy = false, MetadataMode mode = MetadataMode.V2Required)
    {
        var address = LoopbackAddresses.Next();
        Ec2.Launch(id, address, group, state, privateDnsName: $"ip-{address.Replace('.', '-')}.{Region}.compute.internal");
        var metadata = new InstanceMetadataDouble(id, Region, address, mode);
        var options = new MembershipOptions
        {
            Inventory = MembershipInventoryKind.Aws,
            EnvironmentFile = Path.Combine(Dir, id, "etcd.env"),
            ClientScheme = "http",
            PeerScheme = "http",
            ClientPort = ClientPort,
            PeerPort = PeerPort,
            Address = MemberAddressKind.Ip,
            // etcd's requests and health probes get the production default: on a loaded CI machine a
            // linearizable read of a cluster a second old can take longer than 2 s.
            Timeout = TimeSpan.FromSeconds(5),
            Settle = Settle,
            Interval = TimeSpan.FromSeconds(1),
            ProxyMode = proxy,
            ScalingGroupName = proxy ? Group : null,
        };
        var machine = new Machine(this, id, address, metadata, options, o => Inventory(metadata, o.ScalingGroupName, o.Address));
        _machines.Add(machine);
        return machine;
    }

    /// <summary>
    /// A machine outside AWS, at <paramref name="address"/>: <paramref name="configure"/> picks its inventory settings;
    /// <paramref name="inventory"/> (a scripted DNS) replaces the production inventory when given.
    /// </summary>
    public Machine AddMachine(string name, string address, Func<MembershipOptions, MembershipOptions> configure, Func<MembershipOptions, IMembershipInventory>? inventory = null)
    {
        var options = configure(new MembershipOptions
        {
            EnvironmentFile = Path.Combine(Dir, name, "etcd.env"),
            ClientScheme = "http",
            PeerScheme = "http",
            ClientPort = ClientPort,
            PeerPort = PeerPort,
            // etcd's requests and health probes get the production default: on a loaded CI machine a
            // linearizable read of a cluster a second old can take longer than 2 s.
            Timeout = TimeSpan.FromSeconds(5),
            Settle = Settle,
            Interval = TimeSpan.FromSeconds(1),
        });
        var machine = new Machine(this, name, address, null, options, inventory);
        _machines.Add(machine);
        return machine;
    }

    /// <summary>An inventory for <paramref name="metadata"/>'s instance against the EC2 double, signed with test credentials.</summary>
    public AwsInventory Inventory(InstanceMetadataDouble metadata, string? group = null, MemberAddressKind address = MemberAddressKind.Ip) =>
        new(
            new InstanceMetadataClient(metadata.Endpoint, TimeSpan.FromSeconds(1)),
            region => AwsInventory.CreateClient(region, TimeSpan.FromSeconds(5), new BasicAWSCredentials("AKIDTESTHARNESS", "secret"), Ec2.Endpoint.AbsoluteUri),
            group,
            null,
            address);

    /// <summary>Launches <paramref name="ids"/> together, runs their first passes at the same moment, starts their etcds.</summary>
    public async Task<IReadOnlyList<Machine>> BootstrapAsync(params string[] ids)
    {
        return await BootstrapAsync(ids.Select(id => Launch(id)).ToList());
    }

    /// <summary>Runs the first passes of <paramref name="machines"/> at the same moment, starts their etcds.</summary>
    public static async Task<IReadOnlyList<Machine>> BootstrapAsync(IReadOnlyList<Machine> machines)
    {
        var results = await Task.WhenAll(machines.Select(m => m.PassAsync()));
        foreach (var r in results)
        {
            if (r.Outcome != MembershipOutcome.Settled || r.State != "new")
            {
                throw new InvalidOperationException($"bootstrap pass: {r.Outcome} {r.State} {r.Error} {string.Join("; ", r.Withheld)}");
            }
        }

        foreach (var m in machines)
        {
            m.StartEtcd();
        }

        await Task.WhenAll(machines.Select(m => m.Etcd!.WaitHealthyAsync(TimeSpan.FromSeconds(40))));
        return machines;
    }

    /// <summary>The member list as <paramref name="through"/>'s etcd reports it.</summary>
    public static async Task<IReadOnlyList<EtcdMember>> MembersAsync(Machine through)
    {
        await using var store = new EtcdKvStore(new KvStoreOptions { Kind = "etcd", Endpoints = [through.ClientUrl], RequestTimeout = TimeSpan.FromSeconds(3) });
        return await store.MemberListAsync();
    }

    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Not within {timeout}: {what}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var m in _machines)
        {
            await m.DisposeAsync();
        }

        await Ec2.DisposeAsync();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>One instance of the group.</summary>
    internal sealed class Machine : IAsyncDisposable
    {
        private readonly AwsGroupHarness _group;

        private readonly Func<MembershipOptions, IMembershipInventory>? _inventory;

        public Machine(AwsGroupHarness group, string id, string address, InstanceMetadataDouble? metadata, MembershipOptions options, Func<MembershipOptions, IMembershipInventory>? inventory)
        {
            _group = group;
            _inventory = inventory;
            Id = id;
            Address = address;
            Metadata = metadata!;
            Options = options;
            Module = new MembershipModule(group.Log, null, inventory);
        }

        public string Id { get; }

        public string Address { get; }

        public InstanceMetadataDouble Metadata { get; }

        public MembershipOptions Options { get; set; }

        public MembershipModule Module { get; private set; }

        public EtcdMemberProcess? Etcd { get; private set; }

        public string ClientUrl => $"http://{Address}:{_group.ClientPort}";

        public string PeerUrl => $"http://{Address}:{_group.PeerPort}";

        public string EnvironmentFile => Options.EnvironmentFile;

        public IReadOnlyDictionary<string, string> Environment => EtcdMemberProcess.ReadEnvironmentFile(EnvironmentFile);

        public Task<MembershipPassResult> PassAsync() => Module.RunPassAsync(Options);

        /// <summary>A new Tend process on this machine: nothing cached (the instance identity included).</summary>
        public async Task RestartTendAsync()
        {
            await Module.DisposeAsync();
            Module = new MembershipModule(_group.Log, null, _inventory);
        }

        /// <summary>Passes until one settles (a learner needs its etcd running to catch up and be promoted).</summary>
        public Task<MembershipPassResult> SettleAsync(TimeSpan timeout) => SettleUntilAsync(r => r.Outcome == MembershipOutcome.Settled, timeout);

        /// <summary>Passes until <paramref name="done"/> holds (etcd may refuse a change for a few seconds); fails on a failed pass.</summary>
        public async Task<MembershipPassResult> SettleUntilAsync(Func<MembershipPassResult, bool> done, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                var result = await PassAsync();
                if (result.Outcome == MembershipOutcome.Failed)
                {
                    throw new InvalidOperationException($"{Id}: the pass failed: {result.Error}");
                }

                if (done(result) || DateTime.UtcNow > deadline)
                {
                    return result;
                }

                await Task.Delay(500);
            }
        }

        public void StartEtcd()
        {
            Etcd ??= EtcdMemberProcess.FromEnvironmentFile(EnvironmentFile, Path.Combine(_group.Dir, Id, "data"), Address, _group.ClientPort, _group.PeerPort);
            Etcd.Start();
        }

        public async ValueTask DisposeAsync()
        {
            await Module.DisposeAsync();
            Etcd?.Dispose();
            if (Metadata is not null)
            {
                await Metadata.DisposeAsync();
            }
        }
    }
}
