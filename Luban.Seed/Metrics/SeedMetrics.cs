using System.Collections.Concurrent;
using System.Text;
using Luban.Protocol.Scaling;
using Prometheus;
using Yarp.ReverseProxy.Forwarder;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Seed.Metrics;

/// <summary>
/// The seed's Prometheus metrics (prometheus-net, a registry of its own): per-VM connections, utilisation and state
/// and host reachability from the supervisor's status at each scrape; scaling events by kind and rule, drain
/// durations and start-to-rotation times from the supervisor's event stream (<see cref="ScaleEventMetrics"/>); and the
/// front door's requests, latency and errors per VM, counted as they pass. Names follow Prometheus conventions: base
/// units in the name, <c>_total</c> on counters.
/// </summary>
public sealed class SeedMetrics
{
    private static readonly string[] States = Enum.GetNames<VmState>();
    private static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    private readonly Gauge _connections;
    private readonly Gauge _utilisation;
    private readonly Gauge _state;
    private readonly Gauge _hostReachable;
    private readonly Gauge _statusUp;
    private readonly Counter _requests;
    private readonly Histogram _latency;
    private readonly Counter _errors;
    private readonly ConcurrentDictionary<string, VmRequests> _perVm = new(StringComparer.Ordinal);
    private readonly object _statusLock = new();
    private HashSet<(string Host, string Vm)> _vmsShown = [];
    private HashSet<string> _hostsShown = [];

    public SeedMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _connections = factory.CreateGauge("luban_vm_connections",
            "Established connections on the VM's service port, as its agent last counted them (absent when unknown).", "host", "vm");
        _utilisation = factory.CreateGauge("luban_vm_utilisation_ratio",
            "The VM's connections over s-max, the figure the scaling rule compares with t-upper and t-lower.", "host", "vm");
        _state = factory.CreateGauge("luban_vm_state", "1 for the VM's current state, 0 for the others.", "host", "vm", "state");
        _hostReachable = factory.CreateGauge("luban_host_reachable", "1 if the host's agent is reachable, 0 if not.", "host");
        _statusUp = factory.CreateGauge("luban_supervisor_status_up",
            "1 if the scale supervisor answered for this scrape (the VM and host families are then current), 0 if not.");
        _requests = factory.CreateCounter("luban_frontdoor_requests_total",
            "Requests the front door forwarded to the VM and got an answer for, by the answer's status class.", "vm", "code");
        _latency = factory.CreateHistogram("luban_frontdoor_request_duration_seconds",
            "Time from forwarding a request to the VM until its answer was relayed.",
            new HistogramConfiguration
            {
                LabelNames = ["vm"],
                Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16),
            });
        _errors = factory.CreateCounter("luban_frontdoor_errors_total",
            "Requests to the VM that failed in the front door, by YARP's forwarder error (a connect failure is retried on another VM).",
            "vm", "error");
        Events = new ScaleEventMetrics(factory);
    }

    public CollectorRegistry Registry { get; }

    public ScaleEventMetrics Events { get; }

    /// <summary>The per-VM request metrics of a destination, created once and kept (the forwarder's hot path).</summary>
    public VmRequests ForVm(string vm) => _perVm.GetOrAdd(vm, id => new VmRequests(this, id));

    /// <summary>Sets the VM and host families from the supervisor's status; series of VMs and hosts it no longer
    /// shows are removed. <paramref name="hosts"/> null: the supervisor did not answer, the families are left out.</summary>
    public void ShowStatus(IReadOnlyList<HostStatus>? hosts)
    {
        lock (_statusLock)
        {
            var vms = new HashSet<(string Host, string Vm)>();
            var hostIds = new HashSet<string>(StringComparer.Ordinal);
            _statusUp.Set(hosts is null ? 0 : 1);
            foreach (var host in hosts ?? [])
            {
                hostIds.Add(host.Id);
                _hostReachable.WithLabels(host.Id).Set(host.Reachable ? 1 : 0);
                foreach (var vm in host.Vms)
                {
                    vms.Add((host.Id, vm.Id));
                    if (vm.Connections is { } connections) _connections.WithLabels(host.Id, vm.Id).Set(connections);
                    else _connections.RemoveLabelled(host.Id, vm.Id);
                    if (vm.Utilisation is { } utilisation) _utilisation.WithLabels(host.Id, vm.Id).Set(utilisation);
                    else _utilisation.RemoveLabelled(host.Id, vm.Id);
                    foreach (var state in States) _state.WithLabels(host.Id, vm.Id, state).Set(state == vm.State ? 1 : 0);
                }
            }

            foreach (var (host, vm) in _vmsShown.Where(v => !vms.Contains(v)))
            {
                _connections.RemoveLabelled(host, vm);
                _utilisation.RemoveLabelled(host, vm);
                foreach (var state in States) _state.RemoveLabelled(host, vm, state);
            }

            foreach (var host in _hostsShown.Where(h => !hostIds.Contains(h))) _hostReachable.RemoveLabelled(host);
            (_vmsShown, _hostsShown) = (vms, hostIds);
        }
    }

    public async Task<string> ExportAsync(CancellationToken cancel)
    {
        using var text = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(text, cancel);
        return Encoding.UTF8.GetString(text.ToArray());
    }

    /// <summary>One VM's request series, bound once: counting a request is then two lock-free updates.</summary>
    public sealed class VmRequests
    {
        private readonly SeedMetrics _metrics;
        private readonly string _vm;
        private readonly Counter.Child[] _byClass;
        private readonly Histogram.Child _latency;

        internal VmRequests(SeedMetrics metrics, string vm)
        {
            _metrics = metrics;
            _vm = vm;
            _byClass = StatusClasses.Select(c => metrics._requests.WithLabels(vm, c)).ToArray();
            _latency = metrics._latency.WithLabels(vm);
        }

        public void Record(ForwarderError error, int statusCode, TimeSpan elapsed)
        {
            if (error != ForwarderError.None)
            {
                _metrics._errors.WithLabels(_vm, error.ToString()).Inc();
                return;
            }

            var index = statusCode / 100 - 1;
            if (index is >= 0 and < 5) _byClass[index].Inc();
            _latency.Observe(elapsed.TotalSeconds);
        }
    }
}
