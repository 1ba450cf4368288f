"""horkd's CIFAR-family ResNet (java/train/.../model/ResNet.java) in PyTorch, layer for layer, for the
training-throughput comparison: a 3x3 stem (stride 1), stages of basic blocks at width w, 2w, 4w (stride 2
from the second stage on), conv + BN (no conv bias), a 1x1 conv + BN shortcut where the shape changes,
global average pooling and a linear classifier. resnet8: one block a stage, resnet14: two."""
import torch
import torch.nn as nn

BLOCKS = {"resnet8": 1, "resnet14": 2, "resnet20": 3, "resnet32": 5}


def conv_bn(c_in, c_out, k, stride):
    return nn.Sequential(nn.Conv2d(c_in, c_out, k, stride, padding=k // 2, bias=False), nn.BatchNorm2d(c_out))


class Basic(nn.Module):
    def __init__(self, c_in, width, stride):
        super().__init__()
        self.conv1 = conv_bn(c_in, width, 3, stride)
        self.conv2 = conv_bn(width, width, 3, 1)
        nn.init.zeros_(self.conv2[1].weight)  # the residual branch starts at 0, as horkd's
        self.shortcut = conv_bn(c_in, width, 1, stride) if (c_in != width or stride != 1) else nn.Identity()

    def forward(self, x):
        return torch.relu(self.conv2(torch.relu(self.conv1(x))) + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self, name, channels=1, classes=10, width=16):
        super().__init__()
        n = BLOCKS[name]
        layers = [conv_bn(channels, width, 3, 1), nn.ReLU()]
        c = width
        for s in range(3):
            for b in range(n):
                layers.append(Basic(c, width << s, 2 if s > 0 and b == 0 else 1))
                c = width << s
        self.body = nn.Sequential(*layers)
        self.classifier = nn.Linear(c, classes)

    def forward(self, x):
        return self.classifier(self.body(x).mean(dim=(2, 3)))
