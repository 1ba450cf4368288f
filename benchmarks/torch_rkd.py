"""The PyTorch code horkd is compared with: RKD's losses as lenscloth/RKD's metric/loss.py writes them
(and torchdistill, RepDistiller and mdistiller copy them), written here from the paper's definitions and
that code's conventions, and the whole HORKD objective in the same naive autograd style.

- pdist in matmul form; distance loss: each side divided by its mean non-zero distance, the teacher's
  under no_grad, smooth L1 (delta 1) averaged over all m^2 entries;
- angle loss: broadcast differences [m, m, d], F.normalize, bmm into [m, m, m], smooth L1 over all m^3;
- HORKD (docs/LOSSES.md): L1 (mean absolute error) + 0.02 * distance + 0.01 * angle + LC over the batch's
  class centres. horkd's twin: HORKD_OBJECTIVE.

Used by benchmarks/gpu/bench_torch.py (CUDA) and benchmarks/torch-cpu/peer.py (CPU).
"""
import torch
import torch.nn.functional as F

EPS = 1e-12
# The same objective in horkd's text form (docs/LOSSES.md; RKD's reductions for the relational terms).
HORKD_OBJECTIVE = "l1 + 0.02*l2(function=huber, reduction=rkd) + 0.01*l3(reduction=rkd) + lc(scope=batch)"
OBJECTIVES = {
    "distance": "l2(function=huber, reduction=rkd)",
    "angle": "l3(reduction=rkd)",
    "horkd": HORKD_OBJECTIVE,
}


def pdist(e, squared=False, eps=EPS):
    e_square = e.pow(2).sum(dim=1)
    prod = e @ e.t()
    res = (e_square.unsqueeze(1) + e_square.unsqueeze(0) - 2 * prod).clamp(min=eps)
    if not squared:
        res = res.sqrt()
    res = res.clone()
    res[range(len(e)), range(len(e))] = 0
    return res


def rkd_distance(student, teacher):
    with torch.no_grad():
        t_d = pdist(teacher)
        mean_td = t_d[t_d > 0].mean()
        t_d = t_d / mean_td
    d = pdist(student)
    mean_d = d[d > 0].mean()
    d = d / mean_d
    return F.smooth_l1_loss(d, t_d, reduction="mean")


def rkd_angle(student, teacher):
    with torch.no_grad():
        td = teacher.unsqueeze(0) - teacher.unsqueeze(1)
        norm_td = F.normalize(td, p=2, dim=2)
        t_angle = torch.bmm(norm_td, norm_td.transpose(1, 2)).view(-1)
    sd = student.unsqueeze(0) - student.unsqueeze(1)
    norm_sd = F.normalize(sd, p=2, dim=2)
    s_angle = torch.bmm(norm_sd, norm_sd.transpose(1, 2)).view(-1)
    return F.smooth_l1_loss(s_angle, t_angle, reduction="mean")


def centre_loss(student, teacher, labels, eps=EPS):
    """LC with the batch's class centres: mean over samples and present classes of (|g - u| - |f - u|)^2."""
    classes = torch.unique(labels)
    with torch.no_grad():
        centres = torch.stack([teacher[labels == c].mean(dim=0) for c in classes])
        df = ((teacher.unsqueeze(1) - centres.unsqueeze(0)) ** 2).sum(-1).clamp(min=eps).sqrt()
    dg = ((student.unsqueeze(1) - centres.unsqueeze(0)) ** 2).sum(-1).clamp(min=eps).sqrt()
    return ((dg - df) ** 2).mean()


def horkd(student, teacher, labels):
    return ((student - teacher).abs().mean() + 0.02 * rkd_distance(student, teacher)
            + 0.01 * rkd_angle(student, teacher) + centre_loss(student, teacher, labels))


def loss(which, student, teacher, labels=None):
    if which == "distance":
        return rkd_distance(student, teacher)
    if which == "angle":
        return rkd_angle(student, teacher)
    return horkd(student, teacher, labels)
