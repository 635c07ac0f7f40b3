using Luban.FengShui.Model;

namespace Luban.Tests.FengShui;

public class DefinitionSpecs
{
    private static readonly FengShuiModel Model = FengShuiModel.Default;

    [Theory]
    [InlineData("VERY_ELONGATED", "Very elongated")]
    [InlineData("SOLID_HIGHER", "Solid higher")]
    [InlineData("A", "A")]
    public void SentenceCase_should_follow_the_label_rule(string id, string expected)
    {
        Assert.Equal(expected, Labels.SentenceCase(id));
    }

    // §9 groups and a few catalogue entries, each with both labels.
    [Theory]
    [InlineData("category", "WATER_ROAD", "水勢路勢", "water & road")]
    [InlineData("remedy", "SCREENING", "遮擋緩衝", "screening")]
    [InlineData("exposure", "D51_200", "51–200公尺", "51–200 m")]
    [InlineData("facing", "NW", "西北", "north-west")]
    [InlineData("facingBasis", "LIGHT_FACE", "以採光面為準", "by main light face")]
    [InlineData("floorPosition", "TOP", "頂樓", "top floor")]
    [InlineData("element", "BATH_DOOR", "浴廁門", "bathroom door")]
    [InlineData("dimension", "DEPTH", "深", "depth")]
    [InlineData("rulerProfile", "LUBAN_46_08", "明清魯班尺46.08", "Ming-Qing Luban ruler 46.08 cm")]
    [InlineData("flag", "SEVERE_UNREMEDIED", "重大煞未化解", "severe issue unremedied")]
    [InlineData("grade", "D", "小凶", "somewhat inauspicious")]
    [InlineData("houseType", "TOWNHOUSE", "透天厝", "townhouse")]
    [InlineData("envItem", "SKY_SLASH", "天斬煞", "sky-slash")]
    [InlineData("interiorItem", "BEAM_OVER_BED_HEAD", "樑壓床頭", "beam over bed head")]
    [InlineData("X1", "VERY_ELONGATED", "極狹長", "Very elongated")]
    [InlineData("W1", "REVERSE_BOW_FACING", "反弓正對", "reverse bow facing the door")]
    [InlineData("severity", "5", "極重", "critical")]
    [InlineData("luck", "凶", "凶", "inauspicious")]
    public void Terms_should_carry_both_labels(string group, string id, string zh, string en)
    {
        var term = Assert.Single(Model.Terms, t => t.Group == group && t.Id == id);

        Assert.Equal((zh, en), (term.Zh, term.En));
    }

    [Fact]
    public void Terms_should_cover_every_wire_enum()
    {
        var ids = Model.Terms.Select(t => t.Id).ToHashSet();

        var enumIds = Enum.GetNames<Category>().Concat(Enum.GetNames<Remedy>()).Concat(Enum.GetNames<HouseType>())
            .Concat(Enum.GetNames<FacingBasis>()).Concat(Enum.GetNames<MeasureElement>()).Concat(Enum.GetNames<Dimension>())
            .Concat(Enum.GetNames<RulerProfileId>()).Concat(Enum.GetNames<Grade>());
        Assert.DoesNotContain(enumIds, id => !ids.Contains(id));
    }

    [Fact]
    public void Model_should_carry_the_weights_of_section_7_1()
    {
        Assert.Equal("LBC-FS-1.0", Model.Id);
        Assert.Equal(100m, Enum.GetValues<Category>().Sum(Model.CategoryWeight));
        Assert.All(new[] { "W1", "X1" }, f => Assert.Equal(100m, Model.FactorsOf(Model.Factor(f).Category == "EXTERIOR" ? Category.EXTERIOR : Category.WATER_ROAD).Sum(x => x.Weight)));
        Assert.Equal(2.0m, Model.CountMultiplier(7));
        Assert.Equal(0.25m, Model.RemedyFactor(Remedy.STRUCTURAL));
    }

    [Fact]
    public void Model_should_carry_the_disclaimer()
    {
        Assert.Equal("本結果依傳統民俗規則與本系統自訂權重計算，僅供參考，非科學或專業鑑定。", Model.Disclaimer.Zh);
    }
}
