using Luban.Load.Figure15;
using static Luban.Tests.Load.Timelines;

namespace Luban.Tests.Load;

/// <summary>The samples and events as CSV: wide VM columns, empty cells where there is nothing to say.</summary>
public sealed class Figure15CsvSpecs
{
    [Fact]
    public void Samples_should_have_one_column_per_VM_in_order_of_first_appearance()
    {
        var csv = Lines(Figure15Csv.Samples(Paper()));

        Assert.Equal("t_s,clients,req_per_s,failed,vms_in_service,luban-b-1,luban-c-1,luban-b-2", csv[0]);
        Assert.Equal(Paper().Samples.Count + 1, csv.Length);
    }

    [Fact]
    public void Samples_should_leave_a_VM_empty_while_it_is_not_running_or_has_no_count()
    {
        var csv = Lines(Figure15Csv.Samples(Paper()));

        Assert.Equal("0,0,0,0,2,0,0,", csv[1]);
        Assert.Equal("19,142,1420,0,2,71,71,", csv[5]);
        Assert.Equal("45,150,1500,0,3,50,50,50", csv[8]);
        Assert.Equal("97,0,0,0,2,0,0,0", csv[12]);
        Assert.Equal("101,0,0,0,2,0,0,", csv[14]);
    }

    [Fact]
    public void Samples_should_leave_the_status_columns_empty_when_the_status_was_missing()
    {
        var timeline = Of([Sample(0.5, 2, "luban-b-1=1"), Missing(1.25, 4), Sample(2, 4, "luban-b-1=3", failed: 7)], []);

        var csv = Lines(Figure15Csv.Samples(timeline));

        Assert.Equal(["t_s,clients,req_per_s,failed,vms_in_service,luban-b-1", "0.5,2,20,0,1,1", "1.25,4,40,0,,", "2,4,40,7,1,3"], csv);
    }

    [Fact]
    public void Events_should_be_one_row_each_with_reasons_quoted_when_needed()
    {
        var timeline = Of([], [
            Event(17.5, "start", host: "B", reason: "Every in-service VM is above T_upper 60% (luban-b-1: 64, luban-c-1: 63)"),
            Event(96.25, "drain", "luban-b-2", reason: "it said \"idle\""),
        ]);

        var csv = Lines(Figure15Csv.Events(timeline));

        Assert.Equal([
            "t_s,kind,vm,host,rule,reason",
            "17.5,start,,B,rule/start,\"Every in-service VM is above T_upper 60% (luban-b-1: 64, luban-c-1: 63)\"",
            "96.25,drain,luban-b-2,B,rule/drain,\"it said \"\"idle\"\"\"",
        ], csv);
    }

    private static string[] Lines(string csv) => csv.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
}
