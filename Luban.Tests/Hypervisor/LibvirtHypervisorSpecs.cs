using Luban.Actors.Hypervisor;
using Luban.Adapters.Libvirt;

namespace Luban.Tests.Hypervisor;

/// <summary><see cref="LibvirtHypervisor"/> against libvirt's in-process <c>test:///default</c> driver: results, never throws.</summary>
public sealed class LibvirtHypervisorSpecs : IDisposable
{
    private readonly LibvirtHypervisor _hypervisor = new("test:///default");
    private readonly string _name = $"luban-hvspec-{Guid.NewGuid():N}"[..24];
    private readonly string _image = Directory.CreateTempSubdirectory("luban-hvspec").FullName;

    public LibvirtHypervisorSpecs()
    {
        File.WriteAllText(Path.Combine(_image, "vmlinux"), "");
        File.WriteAllText(Path.Combine(_image, "initrd.img"), "");
    }

    public void Dispose()
    {
        // test:///default is shared by the whole test process: leave it as found.
        using (var connection = LibvirtConnection.Open("test:///default").ValueOrThrow())
        {
            connection.Destroy(_name);
            connection.Undefine(_name);
        }

        _hypervisor.Dispose();
        Directory.Delete(_image, recursive: true);
    }

    private DomainSpec Spec(string? name = null, string? kernel = null) => new(
        name ?? _name, DomainType.Test, 128, 1, kernel ?? Path.Combine(_image, "vmlinux"), Path.Combine(_image, "initrd.img"),
        new GuestBootArgs(name ?? _name, 8080).ToKernelCommandLine(), [new PortForward(29080, 8080), new PortForward(29081, 22)]);

    [Fact]
    public async Task LibvirtHypervisor_should_define_start_list_shut_down_and_destroy()
    {
        var started = await _hypervisor.DefineAndStartAsync(Spec());
        var listed = await _hypervisor.ListDomainsAsync("luban-hvspec-");
        var running = await RealGuests.StateOfAsync(_hypervisor, _name);
        var shutdown = await _hypervisor.ShutdownAsync(_name);
        var afterShutdown = await RealGuests.StateOfAsync(_hypervisor, _name);
        var restarted = await _hypervisor.DefineAndStartAsync(Spec());
        var destroyed = await _hypervisor.DestroyAsync(_name);
        var afterDestroy = await RealGuests.StateOfAsync(_hypervisor, _name);

        Assert.True(started.IsOk, started.ErrorOrNull?.ToString());
        var domain = Assert.Single(Assert.IsType<HypervisorResult<IReadOnlyList<GuestDomain>>.Ok>(listed).Value, d => d.Name == _name);
        Assert.True(domain.IsUp);
        Assert.Equal(DomainState.Running, running?.State);
        Assert.True(shutdown.IsOk, shutdown.ErrorOrNull?.ToString());
        Assert.Equal(DomainState.ShutOff, afterShutdown?.State);
        Assert.True(restarted.IsOk, restarted.ErrorOrNull?.ToString());
        Assert.True(destroyed.IsOk, destroyed.ErrorOrNull?.ToString());
        Assert.Equal(ShutOffReason.Destroyed, afterDestroy?.ShutOffReason);
    }

    [Fact]
    public async Task LibvirtHypervisor_should_answer_an_unknown_domain_with_a_not_found_result()
    {
        var shutdown = await _hypervisor.ShutdownAsync("luban-no-such-domain");
        var destroy = await _hypervisor.DestroyAsync("luban-no-such-domain");

        Assert.True(shutdown.ErrorOrNull!.NotFound);
        Assert.True(destroy.ErrorOrNull!.NotFound);
    }

    [Fact]
    public async Task LibvirtHypervisor_should_answer_a_bad_spec_or_missing_kernel_with_a_failed_result()
    {
        var badName = await _hypervisor.DefineAndStartAsync(Spec(name: "bad/name"));
        var noKernel = await _hypervisor.DefineAndStartAsync(Spec(kernel: "/nonexistent/vmlinux"));

        Assert.Contains("must match", badName.ErrorOrNull!.Message);
        Assert.Contains("/nonexistent/vmlinux does not exist", noKernel.ErrorOrNull!.Message);
    }

    [Fact]
    public async Task LibvirtHypervisor_should_fail_every_call_when_the_uri_does_not_answer()
    {
        using var unreachable = new LibvirtHypervisor("qemu+unix:///system?socket=/nonexistent/libvirt-sock");

        var listed = await unreachable.ListDomainsAsync("luban-");
        var again = await unreachable.ListDomainsAsync("luban-");

        Assert.False(listed.IsOk);
        Assert.False(again.IsOk);
    }

    [Fact]
    public async Task LibvirtHypervisor_should_fail_calls_after_it_is_disposed()
    {
        var hypervisor = new LibvirtHypervisor("test:///default");
        hypervisor.Dispose();

        var listed = await hypervisor.ListDomainsAsync("luban-");

        Assert.Contains("closed", listed.ErrorOrNull!.Message);
    }
}
