using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Hosting;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Luban.Actors.Scaling;
using Luban.Cli;
using Luban.Protocol;
using Luban.Protocol.Scaling;
using Luban.Tests.Support;
using Xunit.Abstractions;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Tests.Cli;

/// <summary>
/// Every verb of the CLI against a real seed in this process, over ClusterClient and real remoting. A TestKit probe
/// stands in for host B's agent: it registers and reports VMs to the real ScaleSupervisor and receives its commands.
/// </summary>
public sealed class CliSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly HostId B = new("B");

    private TestCluster _cluster = null!;
    private TestKit _kit = null!;
    private IActorRef _supervisor = null!;

    private string Seed => _cluster.SeedAddress.ToString();

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.StartSeedAsync();
        _kit = new TestKit(_cluster.SeedSystem, output);
        _supervisor = ActorRegistry.For(_cluster.SeedSystem).Get<ScaleSupervisorKey>();
        // The singleton starts once the seed is Up; commands before that would only measure start-up.
        await _supervisor.Ask<SupervisorStatus>(GetSupervisorStatus.Instance, TimeSpan.FromSeconds(20));
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Status_should_show_members_hosts_and_vms_in_aligned_columns()
    {
        await RegisterAgentAsync(("luban-b-1", VmState.InService, 30), ("luban-b-2", VmState.Booting, 0), ("luban-b-3", VmState.Warm, 0));

        var result = await CliAsync("status");

        Assert.True(result.Exit == CliApp.Ok, result.ToString());
        Assert.Empty(result.Stderr);
        var lines = result.Stdout.Split(Environment.NewLine);
        Assert.Contains(lines, l => Regex.IsMatch(l, $@"^{Regex.Escape(Seed)}\s+seed\s+Up\s+yes$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^B\s+yes\s+\d+s ago\s+1\s+3\s+ok\s+2\s+1/1$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^luban-b-3\s+B\s+Warm\s+\?\s+\?\s+-$"));
        var header = lines.Single(l => l.StartsWith("VM ", StringComparison.Ordinal));
        var serving = lines.Single(l => l.StartsWith("luban-b-1 ", StringComparison.Ordinal));
        Assert.Equal(header.IndexOf("STATE", StringComparison.Ordinal), serving.IndexOf("InService", StringComparison.Ordinal));
        Assert.Equal(header.IndexOf("UTILISATION", StringComparison.Ordinal), serving.IndexOf("30%", StringComparison.Ordinal));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^luban-b-2\s+B\s+Booting\s+0\s"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^autoscale\s+running$"));
    }

    [Fact]
    public async Task Status_json_should_be_the_admin_api_document()
    {
        await RegisterAgentAsync(("luban-b-1", VmState.InService, 30));
        using var http = new HttpClient { BaseAddress = _cluster.AdminUrl };

        var result = await CliAsync("status", "--json");
        var api = await http.GetFromJsonAsync<JsonElement>("/api/status");

        Assert.True(result.Exit == CliApp.Ok, result.ToString());
        Assert.Single(result.Stdout.TrimEnd().Split('\n'));
        var doc = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Contains(doc.GetProperty("members").EnumerateArray(), m => m.GetProperty("address").GetString() == Seed);
        var vm = doc.GetProperty("hosts")[0].GetProperty("vms")[0];
        Assert.Equal(("luban-b-1", "InService", 30), (vm.GetProperty("id").GetString(), vm.GetProperty("state").GetString(),
            vm.GetProperty("connections").GetInt32()));
        Assert.Equal(api.EnumerateObject().Select(p => p.Name), doc.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Vm_start_should_reach_the_agent_and_be_refused_for_a_host_without_agent()
    {
        // Two VMs meet the cluster's minimum, so every StartVm the agent sees comes from the operator.
        var agent = await RegisterAgentAsync(("luban-b-1", VmState.InService, 30), ("luban-b-2", VmState.InService, 30));

        var started = await CliAsync("vm", "start", "--host", "B");
        var unknownHost = await CliAsync("vm", "start", "--host", "Z");

        Assert.True(started.Exit == CliApp.Ok, started.ToString());
        Assert.Equal("Starting a VM on host B.", started.Stdout.Trim());
        Assert.Equal(B, (await agent.ExpectMsgAsync<StartVm>(TimeSpan.FromSeconds(5))).Host);
        Assert.True(unknownHost.Exit == CliApp.Refused, unknownHost.ToString());
        Assert.Empty(unknownHost.Stdout);
        Assert.Equal(["luban: refused: Host Z has no registered agent."], unknownHost.StderrLines);
    }

    [Fact]
    public async Task Vm_stop_should_drain_a_vm_and_be_refused_below_the_minimum_or_for_an_unknown_vm()
    {
        await RegisterAgentAsync(("luban-b-1", VmState.InService, 30), ("luban-b-2", VmState.InService, 30));

        // The policy's own floors: the cluster keeps min-vms (2), each host its host minimum (1).
        var clusterFloor = await CliAsync("vm", "stop", "luban-b-2");
        await CliAsync("policy", "set", "min-vms", "1");
        var drained = await CliAsync("vm", "stop", "luban-b-2");
        var lastOne = await CliAsync("vm", "stop", "luban-b-1");
        var unknown = await CliAsync("vm", "stop", "luban-x-9");
        var json = await CliAsync("vm", "stop", "luban-x-9", "--json");

        Assert.True(clusterFloor.Exit == CliApp.Refused, clusterFloor.ToString());
        Assert.Equal(["luban: refused: Stopping luban-b-2 would leave the cluster with 1 VM(s), below its minimum of 2."],
            clusterFloor.StderrLines);
        Assert.True(drained.Exit == CliApp.Ok, drained.ToString());
        Assert.StartsWith("Draining luban-b-2", drained.Stdout);
        Assert.True(lastOne.Exit == CliApp.Refused, lastOne.ToString());
        Assert.Contains("below its minimum of 1", Assert.Single(lastOne.StderrLines));
        Assert.Equal(CliApp.Refused, unknown.Exit);
        Assert.Equal(["luban: refused: No VM named luban-x-9 is known."], unknown.StderrLines);
        Assert.Equal(CliApp.Refused, json.Exit);
        Assert.False(JsonDocument.Parse(json.Stdout).RootElement.GetProperty("accepted").GetBoolean());
        var status = await CliAsync("status");
        Assert.Matches(@"(?m)^luban-b-2\s+B\s+(Draining|Stopping)\s", status.Stdout);
    }

    [Fact]
    public async Task Policy_set_should_change_a_value_and_be_refused_naming_the_key_of_an_invalid_one()
    {
        var invalid = await CliAsync("policy", "set", "t-lower", "0.9");
        var unknownKey = await CliAsync("policy", "set", "t-middle", "0.5");
        var changed = await CliAsync("policy", "set", "t-upper", "0.7");
        var shown = await CliAsync("policy", "show");
        var json = await CliAsync("policy", "show", "--json");

        Assert.True(invalid.Exit == CliApp.Refused, invalid.ToString());
        Assert.Empty(invalid.Stdout);
        Assert.Contains("luban.scaling.t-lower", Assert.Single(invalid.StderrLines));
        Assert.Equal(CliApp.Refused, unknownKey.Exit);
        Assert.Contains("'t-middle'", Assert.Single(unknownKey.StderrLines));
        Assert.True(changed.Exit == CliApp.Ok, changed.ToString());
        Assert.Equal("t-upper = 0.7", changed.Stdout.Trim());
        Assert.Matches(@"(?m)^t-upper\s+0\.7$", shown.Stdout);
        Assert.Matches(@"(?m)^t-lower\s+0\.1$", shown.Stdout);
        Assert.Matches(@"(?m)^tick-interval\s+5s$", shown.Stdout);
        Assert.Equal(0.7, JsonDocument.Parse(json.Stdout).RootElement.GetProperty("tUpper").GetDouble());
    }

    [Fact]
    public async Task Autoscale_pause_should_show_in_policy_show_until_resumed()
    {
        var paused = await CliAsync("autoscale", "pause");
        var whilePaused = await CliAsync("policy", "show");
        var resumed = await CliAsync("autoscale", "resume");
        var afterwards = await CliAsync("policy", "show", "--json");

        Assert.True(paused.Exit == CliApp.Ok, paused.ToString());
        Assert.Equal("Automatic scaling paused.", paused.Stdout.Trim());
        Assert.Matches(@"(?m)^autoscale\s+paused$", whilePaused.Stdout);
        Assert.Equal(CliApp.Ok, resumed.Exit);
        Assert.False(JsonDocument.Parse(afterwards.Stdout).RootElement.GetProperty("autoscalePaused").GetBoolean());
    }

    [Fact]
    public async Task Events_should_list_the_log_and_follow_should_print_each_new_event_once()
    {
        await RegisterAgentAsync(("luban-b-1", VmState.InService, 30));

        var listed = await CliAsync("events");
        var json = await CliAsync("events", "--json");

        Assert.True(listed.Exit == CliApp.Ok, listed.ToString());
        Assert.Matches(@"(?m)^AT\s+KIND\s+RULE\s+HOST\s+VM\s+REASON$", listed.Stdout);
        Assert.Matches(@"(?m)^\d\d:\d\d:\d\dZ\s+host-registered\s+membership/agent-registered\s+B\s+-\s+Agent of host B registered\.$",
            listed.Stdout);
        Assert.Contains(JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray(),
            e => e.GetProperty("kind").GetString() == "host-registered" && e.GetProperty("host").GetString() == "B");

        var followed = new SharedWriter();
        var followErrors = new SharedWriter();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var follow = CliApp.RunAsync(["events", "--follow", "--seed", Seed], followed, followErrors,
            name => name == "LUBAN_CERT" ? CliRunner.OperatorCertificate : null, stop.Token);
        await EventuallyAsync(() => followed.Text.Contains("host-registered"), () => followed.Text + followErrors.Text);
        await CliAsync("autoscale", "pause");
        await EventuallyAsync(() => followed.Text.Contains("operator/autoscale"), () => followed.Text + followErrors.Text);
        // A later event seen means the follower polled again after printing the earlier ones: none may repeat.
        await CliAsync("autoscale", "resume");
        await EventuallyAsync(() => followed.Text.Contains("Operator admin resumed"), () => followed.Text + followErrors.Text);
        await stop.CancelAsync();

        Assert.Equal(CliApp.Ok, await follow);
        var lines = followed.Text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines, l => l.StartsWith("AT ", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("membership/agent-registered"));
        Assert.Single(lines, l => Regex.IsMatch(l, @"\spaused\s+operator/autoscale\s+-\s+-\s+Operator admin paused"));
        Assert.Single(lines, l => l.Contains("Operator admin resumed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bond_status_should_say_when_the_seed_watches_no_bond()
    {
        var table = await CliAsync("bond", "status");
        var json = await CliAsync("bond", "status", "--json");

        Assert.True(table.Exit == CliApp.Ok, table.ToString());
        Assert.StartsWith("The seed watches no bond", table.Stdout);
        Assert.Equal(0, JsonDocument.Parse(json.Stdout).RootElement.GetProperty("health").GetArrayLength());
    }

    private Task<CliResult> CliAsync(params string[] args) => CliRunner.RunAsync([.. args, "--seed", Seed]);

    /// <summary>Registers a probe as host B's agent and reports its VMs, as a HypervisorAgent would.</summary>
    private async Task<TestProbe> RegisterAgentAsync(params (string Vm, VmState State, int Connections)[] vms)
    {
        var agent = _kit.CreateTestProbe("agent-b");
        agent.Send(_supervisor, new RegisterAgent(B, "127.0.0.1"));
        await agent.ExpectMsgAsync<AgentRegistered>(TimeSpan.FromSeconds(10));
        var now = DateTimeOffset.UtcNow;
        // A warm VM is suspended, without an endpoint or a count, as an agent reports it; a host with one keeps a pool
        // of one (a host without one keeps none, so that no refill is sent to the probe).
        agent.Send(_supervisor, new HostReport(B, 1, 3,
            vms.Select(v => v.State == VmState.Warm
                ? new VmReport(new VmId(v.Vm), v.State, null, null, null, Suspended: true)
                : new VmReport(new VmId(v.Vm), v.State, $"http://127.0.0.1:9{v.Vm[^1]}00", v.Connections,
                    v.State == VmState.InService ? now - TimeSpan.FromMinutes(30) : null)).ToList(), now, WarmPoolSize: vms.Any(v => v.State == VmState.Warm) ? 1 : 0));
        return agent;
    }

    private static async Task EventuallyAsync(Func<bool> condition, Func<string> seen)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("the condition never held; seen:\n" + seen());
            await Task.Delay(100);
        }
    }

    /// <summary>A writer the following CLI writes to while the test reads it.</summary>
    private sealed class SharedWriter : StringWriter
    {
        private readonly Lock _gate = new();

        public string Text
        {
            get
            {
                lock (_gate) return ToString();
            }
        }

        public override void Write(char value)
        {
            lock (_gate) base.Write(value);
        }

        public override void Write(string? value)
        {
            lock (_gate) base.Write(value);
        }

        public override void WriteLine(string? value)
        {
            lock (_gate) base.WriteLine(value);
        }
    }
}
