"""The two networks match the authors' Keras models: sizes, 'same' padding, search order."""
import pytest

torch = pytest.importorskip("torch")

from lowbit.fxp import cost, models, published  # noqa: E402


def test_sequential_weight_count_and_shapes():
    model = models.SequentialCNN()
    assert model.weight_count() == models.SEQUENTIAL_WEIGHTS == 323_488
    sizes = cost.layer_sizes(model, 28)
    assert [s.name for s in sizes] == published.SEQUENTIAL_ORDER
    assert sum(s.multiplications for s in sizes) == 39_750_400
    shapes = {name: layer.out_shape for name, layer in model.quant_layers()}
    assert shapes["conv2d_1"] == (32, 26, 26) and shapes["conv2d_5"] == (32, 13, 13)
    assert shapes["conv2d_7"] == (64, 13, 13) and shapes["conv2d_13"] == (64, 4, 4)


def test_branched_order_and_shapes():
    model = models.BranchedCNN()
    sizes = cost.layer_sizes(model, 96)
    assert [s.name for s in sizes] == published.BRANCHED_ORDER
    assert len(sizes) == 23 and sizes[-1].weights == 256 * 10
    assert sum(s.multiplications for s in sizes) == 32_046_592
    assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 10)  # the stem upscales 28 -> 96


def test_inception_steps_compute_the_four_branches():
    torch.manual_seed(0)
    block = models.InceptionBlock(8, 4, 2, dropout=True).eval()
    for unit in (getattr(block, name) for name in block.names):  # BatchNorm away from identity
        unit.bn.running_mean.uniform_(-1, 1)
        unit.bn.running_var.uniform_(0.5, 2)
    x = torch.randn(3, 8, 10, 10)
    u = [getattr(block, name) for name in block.names]
    with torch.no_grad():
        direct = torch.cat([u[0](x), u[2](u[1](x)), u[5](u[4](u[3](x))),
                            u[6](models.max_pool_same(x))], dim=1)
        assert torch.equal(block(x), direct)
    assert sorted(name for names, _ in block.steps() for name in names) == sorted(block.names)


def test_keras_same_padding_puts_the_odd_pixel_after():
    assert models.keras_same_pad(96, 3, 2) == (0, 1)
    assert models.keras_same_pad(26, 3, 1) == (1, 1)
    assert models.keras_same_pad(13, 2, 2) == (0, 1)
    assert models.keras_same_pad(96, 1, 2) == (0, 0)
    x = torch.arange(9.0).reshape(1, 1, 3, 3)
    assert models.max_pool_same(x).flatten().tolist() == [4.0, 5.0, 7.0, 8.0]


def test_keras_batchnorm_and_init():
    unit = models.ConvUnit(3, 8, 3)
    assert unit.bn.momentum == pytest.approx(0.01) and unit.bn.eps == pytest.approx(1e-3)
    assert float(unit.bias.abs().max()) == 0.0
    limit = (6 / (27 + 72)) ** 0.5  # Glorot uniform
    assert float(unit.weight.abs().max()) <= limit


def test_activation_quantized_after_relu_before_batchnorm():
    unit = models.ConvUnit(1, 1, 1, padding="valid")
    with torch.no_grad():
        unit.weight.fill_(1.0)
        unit.bias.fill_(0.0)
    unit.eval()
    unit.act_format = (3, 0)  # codes -3..3
    seen = []
    unit.recorder = lambda layer, y: seen.append(y.clone())
    out = unit(torch.tensor([[[[-2.0, 0.4, 2.5, 9.0]]]]))
    assert seen[0].flatten().tolist() == pytest.approx([0.0, 0.4, 2.5, 9.0])  # after ReLU
    bn_in = (out * (1 + 1e-3) ** 0.5).flatten().tolist()  # fresh BN: y / sqrt(1 + eps)
    assert bn_in == pytest.approx([0.0, 0.0, 2.0, 3.0])
