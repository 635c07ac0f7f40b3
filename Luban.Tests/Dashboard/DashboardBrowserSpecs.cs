using System.Diagnostics;
using System.Net.Http.Json;
using Akka.Actor;
using Akka.Hosting;
using Luban.Actors.Scaling;
using Luban.Protocol;
using Luban.Protocol.Scaling;
using Luban.Seed.Admin;
using Luban.Seed.Dashboard;
using Luban.Tests.Support;
using Luban.Tests.Web;
using Microsoft.Extensions.DependencyInjection;
using static Luban.Protocol.Operator.OperatorProtocol;

namespace Luban.Tests.Dashboard;

/// <summary>
/// The dashboard in headless Chromium against a real seed whose supervisor hears a fake agent for host B: the page
/// shows the VM, and when autoscaling resumes and the supervisor starts a second VM, the chart gains its series; a page
/// opened later starts with the seed's recent past.
/// </summary>
public class DashboardBrowserSpecs
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(20);

    [BrowserFact]
    public async Task Dashboard_should_show_the_VMs_and_gain_a_chart_series_when_a_VM_starts()
    {
        // The seed watches the bond a kernel wrote in the bond lab, so the page shows its links' counters.
        await using var cluster = await TestCluster.StartSeedAsync(o => o with
        {
            Bonds = ["bond0"], BondRoot = Bonding.BondFixtures.Root("lab-8023ad-healthy"),
        });
        var supervisor = cluster.Seed.Services.GetRequiredService<ActorRegistry>().Get<ScaleSupervisorKey>();
        // Paused first, so the page is checked with one VM before the supervisor restores host B's floor of two.
        var paused = await supervisor.Ask<OperatorReply>(new SetAutoscale(true), AskTimeout);
        Assert.True(paused.Accepted, paused.Message);
        cluster.SeedSystem.ActorOf(FakeHostAgent.Props(new HostId("B"), supervisor, new VmId("luban-b-1")), "fake-agent-b");

        var screenshot = Path.Combine(Repo.Root, "artifacts", "screenshots", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);
        var start = new ProcessStartInfo("node")
        {
            ArgumentList = { Path.Combine(BrowserSpecs.ScriptDir, "dashboard-flow.mjs"), cluster.AdminUrl.ToString().TrimEnd('/'), screenshot },
            WorkingDirectory = BrowserSpecs.ScriptDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["CHROMIUM_PATH"] = BrowserSpecs.Chromium;
        using var node = Process.Start(start)!;
        var lines = new List<string>();
        var stdout = Task.Run(async () =>
        {
            while (await node.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (lines) lines.Add(line);
                // The script asks for this once it has seen host B with its single VM.
                if (line == "STEP resume-autoscale")
                {
                    var resumed = await supervisor.Ask<OperatorReply>(new SetAutoscale(false), AskTimeout);
                    lock (lines) lines.Add($"resumed: {resumed.Accepted} {resumed.Message}");
                }
            }
        });
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await node.WaitForExitAsync(timeout.Token);
        await stdout;

        var output = string.Join('\n', lines) + "\n" + await stderr;
        Assert.True(node.ExitCode == 0, output);
        Assert.Contains("OK vm luban-b-1 InService", output);
        Assert.Contains("OK autoscale paused shown", output);
        Assert.Contains("resumed: True", output);
        Assert.Contains("OK chart series 1 -> 2", output);
        Assert.Contains("luban-b-2 (host B)", output);
        Assert.Contains("OK start event", output);
        Assert.Contains($"OK link eth1 sent {File.ReadAllText(Path.Combine(Bonding.BondFixtures.Root("lab-8023ad-healthy"), "sys/class/net/eth1/statistics/tx_packets")).Trim()} packets", output);
        Assert.True(new FileInfo(screenshot).Length > 20_000, "screenshot of the dashboard was not written");
    }

    [BrowserFact]
    public async Task Dashboard_should_open_with_the_recent_past_and_go_on_live_without_repeating_a_point()
    {
        BrowserSpecs.RequireBrowser();
        await using var cluster = await TestCluster.StartSeedAsync();
        var supervisor = cluster.Seed.Services.GetRequiredService<ActorRegistry>().Get<ScaleSupervisorKey>();
        // The fake agent's load rises until the supervisor starts a second VM: the past holds a scale event.
        cluster.SeedSystem.ActorOf(FakeHostAgent.Props(new HostId("B"), supervisor, new VmId("luban-b-1")), "fake-agent-b");
        using var http = new HttpClient { BaseAddress = cluster.AdminUrl };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        HistoryDocument? history;
        do
        {
            await Task.Delay(500);
            history = await http.GetFromJsonAsync<HistoryDocument>(DashboardEndpoints.HistoryPath, StatusAssembler.Json);
        } while (!(history!.Times.Count >= PastSamples && history.Events.Any(e => e.Kind == ScaleEventKinds.Start))
                 && DateTime.UtcNow < deadline);
        Assert.True(history.Events.Any(e => e.Kind == ScaleEventKinds.Start), $"no start within 60 s: {string.Join("; ", history.Events)}");

        var start = new ProcessStartInfo("node")
        {
            ArgumentList =
            {
                Path.Combine(BrowserSpecs.ScriptDir, "dashboard-history.mjs"), cluster.AdminUrl.ToString().TrimEnd('/'),
                (PastSamples - 2).ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            WorkingDirectory = BrowserSpecs.ScriptDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["CHROMIUM_PATH"] = BrowserSpecs.Chromium;
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await node.WaitForExitAsync(timeout.Token);

        var output = await stdout + await stderr;
        Assert.True(node.ExitCode == 0, output);
        Assert.Contains("OK history:", output);
        Assert.Contains("OK start marker from history", output);
        Assert.Contains("OK live after history", output);
        Assert.Contains("OK the start marker is drawn once", output);
    }

    /// <summary>Samples (one a second) the seed has taken before the page opens.</summary>
    private const int PastSamples = 10;
}
