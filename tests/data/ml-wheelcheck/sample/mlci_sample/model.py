"""A trivial model: predicts the mean of what it was fitted on."""


class MeanModel:
    def fit(self, ys):
        self.mean = sum(ys) / len(ys)
        return self

    def predict(self, n):
        return [self.mean] * n
