using Luban.FengShui;
using Luban.FengShui.Input;

namespace Luban.Tests.FengShui;

public class ValidationSpecs
{
    private readonly FengShuiEngine _engine = FengShuiEngine.Default;

    [Theory]
    [MemberData(nameof(ValidationCases.Names), MemberType = typeof(ValidationCases))]
    public void Evaluate_should_reject_each_rule_naming_its_field(string name)
    {
        var (request, field, code) = ValidationCases.Get(name);

        var outcome = _engine.Evaluate(request);

        Assert.False(outcome.IsValid);
        Assert.Contains(outcome.Errors, e => e.Field == field && e.Code == code);
    }

    [Fact]
    public void Evaluate_should_accept_the_unbroken_house()
    {
        Assert.True(_engine.Evaluate(SampleHouses.HouseA()).IsValid);
    }

    [Fact]
    public void Evaluate_should_report_every_error_at_once()
    {
        var outcome = _engine.Evaluate(new EvaluationRequest());

        var fields = outcome.Errors.Select(e => $"{e.Field} {e.Code}").ToHashSet();
        string[] expected =
        [
            "houseType E_REQUIRED", "facingBasis E_REQUIRED",
            "waterRoad.W1 E_REQUIRED", "waterRoad.W2 E_REQUIRED", "waterRoad.W3 E_REQUIRED", "waterRoad.W4 E_REQUIRED", "waterRoad.W5 E_REQUIRED",
            "exterior.X1 E_REQUIRED", "exterior.X2 E_REQUIRED", "exterior.X3 E_REQUIRED", "exterior.X4 E_REQUIRED", "exterior.X6 E_REQUIRED",
            "measurements E_MAIN_DOOR",
        ];
        Assert.Equal(expected.Order(), fields.Order());
    }

    [Fact]
    public void Evaluate_should_report_errors_of_several_sections_together()
    {
        var request = SampleHouses.HouseA() with
        {
            Floor = 0,
            Env = [new Luban.FengShui.Input.EnvItemInput { Id = "TEMPLE", Exposure = "D0_50" }],
            Measurements = [SampleHouses.Measure("MAIN_DOOR", "WIDTH", 90.001m), SampleHouses.Measure("MAIN_DOOR", "HEIGHT", 400)],
        };

        var outcome = _engine.Evaluate(request);

        Assert.Equal(
            ["floor E_FLOOR_ORDER", "env[0].exposure E_EXPOSURE", "measurements[0].cm E_PRECISION", "measurements[1].cm E_RANGE"],
            outcome.Errors.Select(e => $"{e.Field} {e.Code}"));
    }

    [Fact]
    public void Evaluate_should_word_messages_with_their_arguments_in_both_languages()
    {
        var request = SampleHouses.HouseA() with { Measurements = [SampleHouses.Measure("MAIN_DOOR", "WIDTH", 40), SampleHouses.Measure("MAIN_DOOR", "HEIGHT", 210)] };

        var error = _engine.Evaluate(request).Errors.Single();

        Assert.Equal("value must be between 50 and 300", error.Message);
        Assert.Equal("數值超出範圍 50–300", error.MessageZh);
    }

    [Fact]
    public void Evaluate_should_let_presence_items_omit_their_exposure()
    {
        var request = SampleHouses.HouseA() with { Env = [new EnvItemInput { Id = "NOISE" }] };

        var outcome = _engine.Evaluate(request);

        Assert.True(outcome.IsValid);
        Assert.Equal("PRESENT", outcome.Result!.Categories.Env.Items.Single().Exposure);
    }
}
