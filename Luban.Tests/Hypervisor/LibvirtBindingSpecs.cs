using Luban.Actors.Hypervisor;
using Luban.Adapters.Libvirt;

namespace Luban.Tests.Hypervisor;

/// <summary>The binding against libvirt's own in-process <c>test:///default</c> driver (no daemon needed).</summary>
public sealed class LibvirtBindingSpecs : IDisposable
{
    private const string TestUri = "test:///default";
    private readonly LibvirtConnection _connection = LibvirtConnection.Open(TestUri).ValueOrThrow();
    private readonly string _name = $"luban-spec-{Guid.NewGuid():N}"[..24];

    public void Dispose()
    {
        // Leave the shared test driver state as found, whatever the test did.
        _connection.Destroy(_name);
        _connection.Undefine(_name);
        _connection.Dispose();
    }

    private string SpecXml(string name, int memoryMiB = 128, int vcpus = 1) => DomainXml.Build(new DomainSpec(
        name, DomainType.Test, memoryMiB, vcpus, "/boot/vmlinux", "/boot/initrd.img",
        new GuestBootArgs("spec", 8080).ToKernelCommandLine(),
        [new PortForward(18080, 8080), new PortForward(18022, 22)]));

    [Fact]
    public void ListAllDomains_should_include_the_test_drivers_running_domain()
    {
        var domains = _connection.ListAllDomains().ValueOrThrow();

        var test = Assert.Single(domains, d => d.Name == "test");
        Assert.Equal(DomainState.Running, test.State.State);
        Assert.NotNull(test.Id);
        Assert.NotEqual(Guid.Empty, test.Uuid);
    }

    [Fact]
    public void Define_should_add_a_shut_off_domain_with_the_given_name_and_resources()
    {
        using var domain = _connection.Define(SpecXml(_name, memoryMiB: 192, vcpus: 2)).ValueOrThrow();

        Assert.Equal(_name, domain.Name);
        var listed = Assert.Single(_connection.ListAllDomains().ValueOrThrow(), d => d.Name == _name);
        Assert.Equal(DomainState.ShutOff, listed.State.State);
        Assert.Null(listed.Id);
        Assert.Equal(domain.Uuid, listed.Uuid);
        var info = domain.GetInfo().ValueOrThrow();
        Assert.Equal(192UL * 1024, info.MaxMemoryKiB);
        Assert.Equal(2, info.VirtualCpus);
    }

    [Fact]
    public void Start_should_run_the_domain_with_reason_booted()
    {
        _connection.Define(SpecXml(_name)).ValueOrThrow().Dispose();

        var started = _connection.Start(_name);

        Assert.True(started.IsOk, started.ErrorOrNull?.ToString());
        var state = _connection.GetState(_name).ValueOrThrow();
        Assert.Equal(DomainState.Running, state.State);
        Assert.Equal(RunningReason.Booted, state.RunningReason);
    }

    [Fact]
    public void Shutdown_should_leave_the_domain_shut_off_with_reason_shutdown()
    {
        _connection.Define(SpecXml(_name)).ValueOrThrow().Dispose();
        _connection.Start(_name).ValueOrThrow();

        var shutdown = _connection.Shutdown(_name);

        Assert.True(shutdown.IsOk, shutdown.ErrorOrNull?.ToString());
        var state = _connection.GetState(_name).ValueOrThrow();
        Assert.Equal(DomainState.ShutOff, state.State);
        Assert.Equal(ShutOffReason.Shutdown, state.ShutOffReason);
    }

    [Fact]
    public void Destroy_should_leave_the_domain_shut_off_with_reason_destroyed()
    {
        _connection.Define(SpecXml(_name)).ValueOrThrow().Dispose();
        _connection.Start(_name).ValueOrThrow();

        var destroyed = _connection.Destroy(_name);

        Assert.True(destroyed.IsOk, destroyed.ErrorOrNull?.ToString());
        Assert.Equal(ShutOffReason.Destroyed, _connection.GetState(_name).ValueOrThrow().ShutOffReason);
    }

    [Fact]
    public void Undefine_should_remove_the_domain_from_the_list()
    {
        _connection.Define(SpecXml(_name)).ValueOrThrow().Dispose();

        var undefined = _connection.Undefine(_name);

        Assert.True(undefined.IsOk, undefined.ErrorOrNull?.ToString());
        Assert.DoesNotContain(_connection.ListAllDomains().ValueOrThrow(), d => d.Name == _name);
    }

    [Fact]
    public void Lookup_of_an_unknown_domain_should_fail_with_libvirts_no_domain_error()
    {
        var lookup = _connection.LookupByName("luban-no-such-domain");

        var error = Assert.IsType<LibvirtResult<LibvirtDomain>.Failed>(lookup).Error;
        Assert.Equal(LibvirtErrorCode.NoDomain, error.Code);
        Assert.Equal(12, error.Domain); // VIR_FROM_TEST
        Assert.Equal("Domain not found", error.Message);
        Assert.Equal("lookup luban-no-such-domain", error.Operation);
    }

    [Theory]
    [InlineData("start")]
    [InlineData("shutdown")]
    [InlineData("destroy")]
    [InlineData("state")]
    [InlineData("undefine")]
    public void An_operation_on_an_unknown_domain_should_fail_with_no_domain(string operation)
    {
        const string name = "luban-no-such-domain";

        var error = operation switch
        {
            "start" => _connection.Start(name).ErrorOrNull,
            "shutdown" => _connection.Shutdown(name).ErrorOrNull,
            "destroy" => _connection.Destroy(name).ErrorOrNull,
            "state" => _connection.GetState(name).ErrorOrNull,
            _ => _connection.Undefine(name).ErrorOrNull,
        };

        Assert.NotNull(error);
        Assert.Equal(LibvirtErrorCode.NoDomain, error.Code);
    }

    [Fact]
    public void Define_of_malformed_xml_should_fail_with_an_xml_error()
    {
        var defined = _connection.Define("<domain type='test'><name>broken</name");

        var error = Assert.IsType<LibvirtResult<LibvirtDomain>.Failed>(defined).Error;
        // libvirt reports a parse failure as VIR_ERR_XML_DETAIL with the parser's line and complaint.
        Assert.Equal(LibvirtErrorCode.XmlDetail, error.Code);
        Assert.Contains("expected '>'", error.Message);
        Assert.Equal("define", error.Operation);
    }

    [Fact]
    public void Define_of_well_formed_xml_that_is_not_a_domain_should_fail_with_a_typed_error()
    {
        var defined = _connection.Define("<domain type='test'><memory>1024</memory></domain>"); // no <name>

        var error = Assert.IsType<LibvirtResult<LibvirtDomain>.Failed>(defined).Error;
        Assert.NotEqual(LibvirtErrorCode.Ok, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Starting_a_running_domain_should_fail_with_libvirts_message()
    {
        _connection.Define(SpecXml(_name)).ValueOrThrow().Dispose();
        _connection.Start(_name).ValueOrThrow();

        var again = _connection.Start(_name);

        // The test driver says VIR_ERR_INTERNAL_ERROR here (the QEMU driver says VIR_ERR_OPERATION_INVALID).
        Assert.Equal(LibvirtErrorCode.InternalError, again.ErrorOrNull?.Code);
        Assert.Contains($"Domain '{_name}' is already running", again.ErrorOrNull?.Message);
    }

    [Fact]
    public void Open_of_an_unknown_driver_should_fail_with_a_typed_error_not_an_exception()
    {
        var opened = LibvirtConnection.Open("nosuchdriver:///nowhere");

        var error = Assert.IsType<LibvirtResult<LibvirtConnection>.Failed>(opened).Error;
        Assert.NotEqual(LibvirtErrorCode.Ok, error.Code);
        Assert.Contains("nosuchdriver", error.Operation);
    }

    [Fact]
    public void A_domain_handle_should_outlive_a_disposed_connection_and_then_be_refused_after_its_own_dispose()
    {
        using var connection = LibvirtConnection.Open(TestUri).ValueOrThrow();
        var domain = connection.LookupByName("test").ValueOrThrow();
        connection.Dispose();

        // libvirt's domain object holds a reference on its connection.
        Assert.Equal(DomainState.Running, domain.GetState().ValueOrThrow().State);
        domain.Dispose();

        Assert.Throws<ObjectDisposedException>(() => domain.GetState());
        Assert.Throws<ObjectDisposedException>(() => connection.ListAllDomains());
    }

    [Fact]
    public async Task One_connection_should_serve_several_threads_with_per_thread_errors()
    {
        var tasks = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            for (var n = 0; n < 50; n++)
            {
                if (i % 2 == 0)
                {
                    Assert.Equal(LibvirtErrorCode.NoDomain, _connection.GetState($"luban-missing-{i}").ErrorOrNull?.Code);
                }
                else
                {
                    Assert.True(_connection.GetState("test").IsOk);
                    Assert.True(_connection.ListAllDomains().IsOk);
                }
            }
        }));

        await Task.WhenAll(tasks);
    }
}
